// Shared by the corpus queue tests: a 2,000-row CSV with groups, times, malformed, empty and too-long rows; a fake
// model whose scores vary from row to row (so the floating sums of the summary depend on the order they are added
// in); what of a result must be identical between a single-process run and a queue run; and an in-memory queue
// that reads chunks with an engine and delivers them in a shuffled order.
import { readFileSync, writeFileSync } from 'node:fs';
import type { TextEngine } from '../../src/core/model.js';
import type { CorpusResult } from '../../src/tools/corpus/run.js';
import { readChunk, type ChunkJob, type ChunkResult, type CorpusQueue } from '../../src/tools/corpus/queue.js';
import { readerOf } from '../../src/tools/reading/pipeline.js';
import type { FakeSpec } from './fake-engine.js';

const WORDS = ['happy', 'angry', 'calm', 'so happy today', 'very angry indeed', 'a note', 'happy and angry'];

/** Writes the test corpus: `rows` data rows, each 97th empty, each 13th with an unreadable time, every 50th followed by a malformed record, one 300-character row each 211. */
export function writeCorpus(path: string, rows = 2000): void {
  const lines = ['id,text,team,when'];
  for (let i = 0; i < rows; i++) {
    let text = `${WORDS[i % WORDS.length]} number ${(i * 7919) % 1000}`;
    if (i % 97 === 5) text = '';
    if (i % 211 === 7) text = `long ${'x'.repeat(300)}`;
    const when = i % 13 === 0 ? 'not a date' : `2024-${String(1 + (i % 12)).padStart(2, '0')}-1${i % 10}`;
    lines.push(`${i},"${text}",${['north', 'south', 'east', ''][i % 4]},${when}`);
    if (i % 50 === 3) lines.push('broken,"never closed');
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Scores from the text: every row differs a little, so means and variances are real floating sums. */
export function variedMood(text: string): FakeSpec {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 1009;
  const f = h / 1009;
  if (text.includes('happy') && text.includes('angry'))
    return { go: { joy: 0.5 + f / 3, anger: 0.45 + f / 4, surprise: 0.2 + f / 2 }, vad: [3 + f, 3.5 + f / 3, 3] };
  if (text.includes('happy')) return { go: { joy: 0.6 + f / 3, admiration: 0.2 + f / 2 }, vad: [4 + f / 2, 3 + f, 3] };
  if (text.includes('angry')) return { go: { anger: 0.55 + f / 3, annoyance: 0.3 + f / 2 }, vad: [1.2 + f, 4 - f, 3] };
  return { go: { neutral: 0.5 + f / 2 }, vad: [2.5 + f, 1.5 + f, 3] };
}

/** The result without what differs between any two runs (time taken, where the files went). */
export function comparable(res: CorpusResult): unknown {
  return { ...res, elapsed_ms: 0, rows_per_second: 0, files: null };
}

/** The JSONL as written. */
export function jsonl(res: CorpusResult): string {
  return readFileSync(res.files.rows_jsonl, 'utf8');
}

/**
 * A queue in memory: each chunk is read with `engine` (as a worker would) and delivered after a delay drawn from a
 * seeded generator, so chunks finish out of order; `fail(chunk)` makes a chunk fail instead.
 */
export function memoryQueue(
  engine: TextEngine,
  opts: { chunkRows: number; seed?: number; fail?: (chunk: number) => Error | null } = { chunkRows: 100 },
): CorpusQueue & { submitted: ChunkJob[]; cancelled: number } {
  let s = opts.seed ?? 1;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const submitted: ChunkJob[] = [];
  const q = {
    where: 'memory',
    chunkRows: opts.chunkRows,
    submitted,
    cancelled: 0,
    async open(listener: Parameters<CorpusQueue['open']>[0]) {
      const id = `run${submitted.length}`;
      return {
        id,
        async submit(job: ChunkJob): Promise<ChunkResult> {
          submitted.push(job);
          await new Promise((r) => setTimeout(r, Math.floor(rand() * 15)));
          const failure = opts.fail?.(job.chunk);
          if (failure) throw failure;
          const records = await readChunk(job, engine.model, readerOf(engine).read, {
            batch: 64,
            signal: new AbortController().signal,
            between: async (done) => listener.progress(job.chunk, done),
          });
          return { run: job.run, chunk: job.chunk, worker: `w${job.chunk % 3}`, records };
        },
        async cancel() {
          q.cancelled++;
        },
        async close() {},
      };
    },
  };
  return q;
}
