// analyze_corpus with memory: true: each row's JSONL record gets the memory block analyze_emotion's memory: true
// gives (its nearest labelled cases and their votes; memory-reading.ts), and the summary gets how often the
// neighbours' top vote agrees with the model's top label (src/analysis/memory/agreement.ts). Blocks are computed
// afresh for every row, reused rows too: the memory changes between runs, the model's reading does not.
import { z } from 'zod';
import { MemoryAgreement, type VoteSet } from '../../analysis/memory/agreement.js';
import { quantize } from '../../analysis/memory/index.js';
import { NATIVE_TAXONOMY } from '../../analysis/emotion/profile.js';
import type { DecidedLanguage, Language } from '../../core/model.js';
import type { MemoryService } from '../memory-service.js';
import { memoryBlock, type MemoryBlock } from '../memory-reading.js';
import type { Reader } from '../reading/pipeline.js';
import type { RowRecord } from './rows.js';

const agreement = z.object({
  rows: z.number().int().describe('rows with a vote > 0 in these label sets'),
  agree: z.number().int(),
  share: z.number().min(0).max(1).nullable(),
});

export const corpusMemorySchema = z
  .object({
    rows: z.number().int().describe('rows given a memory block'),
    rows_with_neighbours: z.number().int().describe('rows with at least one labelled case in the memory'),
    labels: agreement.describe(
      "the model's dominant label in the row's own label set (GoEmotions for en/ja, KOTE for ko; not zh) " +
        'is a label with the highest neighbour vote',
    ),
    ekman: agreement.describe("the model's dominant Ekman group is a group with the highest neighbour vote"),
    disagreements: z
      .array(
        z.object({
          set: z.enum(['goemotions', 'kote', 'ekman']),
          model: z.string(),
          memory: z.string().describe('the label with the highest vote (ties: the first name)'),
          rows: z.number().int(),
        }),
      )
      .describe('the 10 most frequent (model label, memory label) pairs among rows where they differ'),
  })
  .describe("memory: true: how often the memory's labelled neighbours agree with the model over the rows");
export type CorpusMemorySummary = z.infer<typeof corpusMemorySchema>;

/** The vote set of a row's own label set, when the memory votes in it (not CPED's, for zh). */
function nativeVotes(language: Language): VoteSet | undefined {
  const t = NATIVE_TAXONOMY[language];
  return t === 'goemotions' || t === 'kote' ? t : undefined;
}

export interface CorpusMemory {
  /** Adds a memory block to each row's record (same order as `rows`) and counts it for the summary. */
  annotate(
    reader: Reader,
    rows: ReadonlyArray<{ text: string; decided: DecidedLanguage }>,
    records: RowRecord[],
    signal: AbortSignal,
  ): Promise<void>;
  summary(): CorpusMemorySummary;
}

export function corpusMemory(memory: MemoryService): CorpusMemory {
  const tally = new MemoryAgreement();
  return {
    async annotate(reader, rows, records, signal) {
      const { embedder, vectors } = await reader.embed(
        rows.map((r) => r.text),
        rows.map((r) => r.decided),
        signal,
      );
      records.forEach((rec, i) => {
        const block: MemoryBlock = memoryBlock(memory, reader.model, embedder.sha256, quantize(vectors[i]));
        (rec as RowRecord & { memory?: MemoryBlock }).memory = block;
        const set = nativeVotes(rec.language);
        tally.add({
          neighbours: block.neighbours.length,
          ...(set ? { native: { set, label: rec.dominant.label, votes: block.votes[set] } } : {}),
          ekman: { label: rec.ekman, votes: block.votes.ekman },
        });
      });
    },
    summary: () => tally.summary(),
  };
}
