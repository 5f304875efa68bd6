// The `memory` block of a reading (analyze_emotion with memory: true): the nearest labelled cases of the
// experience memory and the labels they vote for, beside the model's own reading, never in place of it
// (docs/memory.md says how the votes are computed and why no blend is applied by default).
import { z } from 'zod';
import { ekmanOfLabels, labelVotes } from '../analysis/memory/index.js';
import { EKMAN } from '../core/labels.js';
import type { ModelInfo } from '../core/model.js';
import { round4 } from '../core/numbers.js';
import { embedForMemory, memoryFor, neighbourOut, neighbourSchema } from './memory-input.js';
import type { MemoryService } from './memory-service.js';
import type { ToolContext } from './types.js';

/** Neighbours a reading's memory block votes with. */
export const MEMORY_NEIGHBOURS = 10;

const vote = z.object({ label: z.string(), vote: z.number().min(0).max(1) });
export const memoryBlockSchema = z
  .object({
    neighbours: z.array(
      neighbourSchema.extend({
        labels: z.object({
          goemotions: z.array(z.string()).optional(),
          kote: z.array(z.string()).optional(),
          ekman: z.array(z.string()).optional(),
        }),
      }),
    ),
    votes: z
      .object({ goemotions: z.array(vote), kote: z.array(vote), ekman: z.array(vote) })
      .describe('per label set, the labels with a vote > 0, highest first'),
    rule: z.string().describe('how a vote is computed'),
  })
  .describe(
    'memory: true: the nearest labelled cases of the experience memory and the labels they vote for (the ' +
      "model's reading above is unchanged)",
  );
export type MemoryBlock = z.infer<typeof memoryBlockSchema>;

const RULE =
  `vote(label) = Σ max(similarity, 0)·[label in the case's labels] / Σ max(similarity, 0) over the ` +
  `${MEMORY_NEIGHBOURS} most similar labelled cases (Ekman votes also count GoEmotions and KOTE labels ` +
  `by their Ekman group)`;

/** One memory block per text (texts the model reads; the caller has checked them). */
export async function memoryBlocks(ctx: ToolContext, texts: string[]): Promise<MemoryBlock[]> {
  const memory = memoryFor(ctx);
  if (texts.length === 0) return [];
  const { engine, model, vectors } = await embedForMemory(
    ctx,
    texts.map((text, i) => ({ name: `text ${i}`, text })),
  );
  return vectors.map((v) => memoryBlock(memory, engine.model, model, v));
}

/**
 * The memory block of one text's stored-form embedding `vector` (made by the model whose sha256 is `embedder`): its
 * nearest labelled cases and their votes over `model`'s label sets.
 */
export function memoryBlock(memory: MemoryService, model: ModelInfo, embedder: string, vector: Int8Array): MemoryBlock {
  const found = memory.search(vector, MEMORY_NEIGHBOURS, embedder, { labelled: 'any' }).matches;
  const ranked = (
    labels: readonly string[],
    pick: (l: (typeof found)[number]['record']['labels']) => readonly string[],
  ) => {
    const votes = labelVotes(
      found.map((f) => ({ similarity: f.similarity, labels: pick(f.record.labels) })),
      labels,
    );
    return labels
      .map((label, i) => ({ label, vote: round4(votes[i]) }))
      .filter((x) => x.vote > 0)
      .sort((a, b) => b.vote - a.vote);
  };
  return {
    neighbours: found.map((f) => ({ ...neighbourOut(f), labels: f.record.labels })),
    votes: {
      goemotions: ranked(model.labels.goemotions, (l) => l.goemotions ?? []),
      kote: ranked(model.labels.kote, (l) => l.kote ?? []),
      ekman: ranked(EKMAN, (l) => ekmanOfLabels(l)),
    },
    rule: RULE,
  };
}
