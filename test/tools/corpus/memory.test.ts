// analyze_corpus with memory: true (src/tools/corpus/memory.ts): each row's JSONL record carries the memory block
// of analyze_emotion's memory: true, the summary counts how often the neighbours' top vote agrees with the model's
// label, blocks are recomputed for reused rows, and the option is refused while memory is off.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quantize } from '../../../src/analysis/memory/index.js';
import type { TextEngine } from '../../../src/core/model.js';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import { MemoryStore } from '../../../src/server/memory/store.js';
import { analyzeCorpusTool } from '../../../src/tools/analyze-corpus.js';
import { MEMORY_OFF } from '../../../src/tools/memory-input.js';
import type { ToolContext } from '../../../src/tools/types.js';
import { fakeEmbeddingEngine, fakeEngine, type FakeSpec } from '../../helpers/fake-engine.js';
import { callTool, refusalOf } from '../../helpers/tool-call.js';
import { toolContext } from '../../helpers/tool-context.js';

// The model's reading by keyword: happy → joy, angry → anger (Ekman anger), else neutral.
function mood(text: string): FakeSpec {
  if (text.includes('happy')) return { go: { joy: 0.9 } };
  if (text.includes('angry')) return { go: { anger: 0.8, annoyance: 0.6 } };
  return { go: { neutral: 0.9 } };
}
const engine = fakeEmbeddingEngine(0xc0ffee, ['en', 'ko'], mood);
const SHA = engine.embedder!.sha256;

// The remembered cases: the same texts as three of the rows (similarity 1 to their row), the angry one labelled
// sadness on purpose (the memory disagrees with the model there).
const CASES = [
  { text: 'happy sunny morning', labels: { goemotions: ['joy'] } },
  { text: 'angry red traffic', labels: { goemotions: ['sadness'] } },
  { text: 'plain grey note', labels: { goemotions: ['neutral'] } },
];
const ROWS = ['happy sunny morning', 'angry red traffic', 'plain grey note', 'happy sunny morning'];

let base: string;
let data: string;
let store: MemoryStore;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-memory-')));
  data = join(base, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'rows.txt'), `${ROWS.join('\n')}\n`);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
afterEach(() => store?.close());

async function openWithCases(): Promise<MemoryStore> {
  store = MemoryStore.open(join(base, `m-${Math.random().toString(36).slice(2)}.sqlite`));
  const vectors = await engine.embed!(CASES.map((c) => c.text));
  store.add(
    CASES.map((c, i) => ({
      record: { kind: 'case', text: c.text, labels: c.labels, tags: [], time: 0 },
      vector: quantize(vectors[i]),
    })),
    SHA,
  );
  return store;
}

function ctx(e: TextEngine, memory?: MemoryStore): ToolContext {
  const c = toolContext(e);
  return { ...c, services: { ...c.services, files: createCorpusFiles([data]), ...(memory ? { memory } : {}) } };
}
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('analyze_corpus memory: true', () => {
  it("gives each row the memory block and the summary the neighbours' agreement with the model", async () => {
    const m = await openWithCases();
    const out = await callTool(analyzeCorpusTool, { path: join(data, 'rows.txt'), memory: true }, ctx(engine, m));
    const [header, ...rest] = lines(out.structured.files.rows_jsonl);
    expect(header).toMatchObject({ type: 'header', memory: true });
    const rows = rest.filter((r) => r.type !== 'footer');
    expect(rows).toHaveLength(4);
    // each row's nearest case is the one with its own text (the same vector: similarity 1)
    expect(rows.map((r) => r.memory.neighbours[0].id)).toEqual([1, 2, 3, 1]);
    expect(rows.map((r) => r.memory.neighbours[0].similarity)).toEqual([1, 1, 1, 1]);
    expect(rows[1].memory.neighbours[0].labels).toEqual({ goemotions: ['sadness'] });
    expect(rows[0].memory.rule).toMatch(/^vote\(label\) = /);
    // Top votes: joy, sadness, neutral, joy (the own-text case weighs 1, the others less); the model: joy, anger,
    // neutral, joy. Agree 3 of 4 in GoEmotions and in Ekman (sadness vs anger is the one disagreement in both).
    expect(out.structured.summary.memory).toEqual({
      rows: 4,
      rows_with_neighbours: 4,
      labels: { rows: 4, agree: 3, share: 0.75 },
      ekman: { rows: 4, agree: 3, share: 0.75 },
      disagreements: [
        { set: 'ekman', model: 'anger', memory: 'sadness', rows: 1 },
        { set: 'goemotions', model: 'anger', memory: 'sadness', rows: 1 },
      ],
    });
    expect(out.summary).toContain(
      "Memory: 4 of 4 rows have labelled neighbours; their top vote agrees with the model's label in 75.0 % of 4 rows (Ekman: 75.0 % of 4); most frequent disagreement: model anger, memory sadness (1 row).",
    );
  });

  it('recomputes the blocks of reused rows (the memory changed, the readings did not)', async () => {
    const m = await openWithCases();
    const args = { path: join(data, 'rows.txt'), memory: true, output_dir: data };
    await callTool(analyzeCorpusTool, args, ctx(engine, m));
    m.remove({ ids: [2] });
    const again = await callTool(analyzeCorpusTool, args, ctx(engine, m));
    expect(again.structured.rows.from_cache).toBe(4);
    const rows = lines(again.structured.files.rows_jsonl).filter((r) => r.row);
    expect(rows.flatMap((r) => r.memory.neighbours.map((n: { id: number }) => n.id))).not.toContain(2);
    // without memory the earlier file (written with blocks) is not reused, and the rows carry no block
    const plain = await callTool(analyzeCorpusTool, { ...args, memory: false }, ctx(engine, m));
    expect(plain.structured.rows.from_cache).toBe(0);
    expect(plain.structured.summary.memory).toBeUndefined();
    expect(lines(plain.structured.files.rows_jsonl).some((r) => 'memory' in r)).toBe(false);
  });

  it('is refused while memory is off, and for a model without embeddings, before any file is written', async () => {
    const args = { path: join(data, 'rows.txt'), memory: true, output_dir: join(data, 'none') };
    const off = await refusalOf(() => callTool(analyzeCorpusTool, args, ctx(engine)));
    expect(off).toMatchObject({ code: 'invalid_input', message: MEMORY_OFF });
    const m = await openWithCases();
    const plain = await refusalOf(() => callTool(analyzeCorpusTool, args, ctx(fakeEngine(mood), m)));
    expect(plain.code).toBe('model_missing');
    expect(plain.message).toMatch(/no sentence_embedding output/);
  });

  it('is refused on a server whose corpus runs go to a job queue (the workers do not share the memory)', async () => {
    const m = await openWithCases();
    const c = ctx(engine, m);
    const queue = { chunkRows: 128, open: () => Promise.reject(new Error('the queue must not be opened')) };
    const withQueue = { ...c, services: { ...c.services, corpusQueue: queue } } as unknown as ToolContext;
    const out = join(data, 'queued');
    const refusal = await refusalOf(() =>
      callTool(analyzeCorpusTool, { path: join(data, 'rows.txt'), memory: true, output_dir: out }, withQueue),
    );
    expect(refusal.code).toBe('invalid_input');
    expect(refusal.message).toMatch(/not available when analyze_corpus runs on a job queue/);
  });
});
