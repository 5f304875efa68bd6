// forget: deletes records of the experience memory by id, tag or time range; the records, their vectors and
// their text are removed, and the store is compacted so the text's bytes are no longer in its files
// (docs/memory.md).
import { z } from 'zod';
import { ToolError } from '../core/errors.js';
import { memoryTool, parseTime, storeOut, storeSchema, timeArg } from './memory-input.js';

const input = z.object({
  ids: z
    .array(z.number().int().min(1))
    .min(1)
    .max(10_000)
    .optional()
    .describe('Record ids (as remember and recall return them)'),
  tag: z.string().min(1).max(64).optional().describe('Every record carrying this tag'),
  since: timeArg('Records that happened at or after this time').optional(),
  until: timeArg('Records that happened at or before this time').optional(),
});

const output = z.object({
  removed: z.number().int(),
  ids: z.array(z.number().int()).describe('ids of the removed records'),
  memory: storeSchema,
});

export const forgetTool = memoryTool({
  name: 'forget',
  title: 'Forget records of the memory',
  description:
    'Deletes records of the experience memory: by ids, by tag, or by a time range (since/until; ' +
    'combined, a record must match all given). ' +
    "Records, vectors and text are removed and the file is compacted: the text is not left in the store's files. Needs --memory.",
  input,
  output,
  changesMemory: 'deletes',
  run: async (args, _ctx, memory) => {
    if (!args.ids && args.tag === undefined && args.since === undefined && args.until === undefined) {
      throw new ToolError(
        'invalid_input',
        'give ids, a tag, or a time range (since / until): forget never deletes everything unasked',
      );
    }
    const r = memory.remove({
      ids: args.ids,
      tag: args.tag,
      since: parseTime(args.since),
      until: parseTime(args.until),
    });
    const store = storeOut(memory);
    return {
      structured: { removed: r.removed, ids: r.ids, memory: store },
      summary:
        `forgot ${r.removed} record${r.removed === 1 ? '' : 's'}` +
        (r.ids.length ? ` (#${r.ids.slice(0, 10).join(', #')}${r.ids.length > 10 ? ', …' : ''})` : '') +
        `; ${store.records} left in ${memory.path}`,
    };
  },
});
