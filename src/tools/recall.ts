// recall: the k stored records most similar to a text (a case, or a decision description), by cosine similarity
// of the model's sentence embeddings (exact search), with their labels, decisions and outcomes (docs/memory.md).
import { z } from 'zod';
import { round4 } from '../core/numbers.js';
import { MAX_TEXT_CHARS } from '../core/limits.js';
import {
  REEMBED_COMMAND,
  embedForMemory,
  memoryTool,
  parseTime,
  recordOut,
  recordSchema,
  storeSchema,
  tagsSchema,
  timeArg,
} from './memory-input.js';
import { textArg } from './text-input.js';

export const RECALL_MAX_K = 100;

const input = z.object({
  text: textArg(
    `What to find similar records for: a situation, a text, or a decision description (1..${MAX_TEXT_CHARS} characters)`,
  ),
  k: z.number().int().min(1).max(RECALL_MAX_K).default(5).describe(`How many records (1..${RECALL_MAX_K})`),
  kind: z.enum(['case', 'decision']).optional().describe('Only cases or only decisions'),
  tags: tagsSchema.optional().describe('Only records carrying at least one of these tags'),
  since: timeArg('Only records that happened at or after this time').optional(),
  until: timeArg('Only records that happened at or before this time').optional(),
});

const output = z.object({
  matches: z.array(
    recordSchema.extend({
      similarity: z
        .number()
        .min(-1)
        .max(1)
        .describe('cosine similarity of the two embeddings (int8-stored, docs/memory.md)'),
    }),
  ),
  searched: z.number().int().describe('records searched (made with the loaded model and passing the filters)'),
  other_model_records: z
    .number()
    .int()
    .describe(
      `records made with another model: not searched (their vectors are in another space) until re-embedded with \`${REEMBED_COMMAND}\``,
    ),
  memory: storeSchema,
});

export const recallTool = memoryTool({
  name: 'recall',
  title: 'Recall similar past cases and decisions',
  description:
    'Finds the k records of the experience memory most similar to a text (cosine similarity of the ' +
    "model's sentence embeddings, exact search), " +
    'with their labels, tags, time, and for decisions the option chosen, the scenario that happened, the ' +
    'outcome and the regret realised. ' +
    'Filters: kind, tags, since/until. Needs the server to run with --memory.',
  input,
  output,
  run: async (args, ctx, memory) => {
    const { model, vectors } = await embedForMemory(ctx, [{ name: 'text', text: args.text }]);
    const filter = { kind: args.kind, tags: args.tags, since: parseTime(args.since), until: parseTime(args.until) };
    const { matches: found, searched } = memory.search(vectors[0], args.k, model, filter);
    const stats = memory.stats(model);
    const matches = found.map((f) => ({ ...recordOut(f.record), similarity: round4(f.similarity) }));
    const best = matches[0];
    return {
      structured: {
        matches,
        searched,
        other_model_records: stats.other_model,
        memory: { path: memory.path, records: stats.records },
      },
      summary:
        (best
          ? `${matches.length} similar records; best #${best.id} (similarity ${best.similarity}): ${best.text.slice(0, 80)}`
          : 'no records to recall') +
        (stats.other_model
          ? `; ${stats.other_model} records from another model not searched (re-embed them: ${REEMBED_COMMAND})`
          : ''),
    };
  },
});
