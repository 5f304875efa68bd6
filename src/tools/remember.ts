// remember: stores a case (a text with the labels that are true of it: a corrected or gold reading) or a decision
// (options, scenarios, the option chosen, the scenario that happened, the realised outcome) in the experience
// memory, with the model's embedding of its text (docs/memory.md).
import { z } from 'zod';
import { realisedRegret } from '../analysis/memory/index.js';
import { ToolError } from '../core/errors.js';
import { MAX_TEXT_CHARS } from '../core/limits.js';
import type { MemoryDecision } from './memory-service.js';
import {
  checkLabels,
  embedForMemory,
  labelsSchema,
  memoryTool,
  parseTime,
  recordOut,
  recordSchema,
  storeOut,
  storeSchema,
  tagsSchema,
  timeArg,
} from './memory-input.js';
import { textArg } from './text-input.js';

const name = z.string().min(1).max(200);
const input = z.object({
  text: textArg(
    `The case's text, or the decision's description (what was decided, in words; 1..${MAX_TEXT_CHARS} ` +
      `characters). Recall finds records by the model's embedding of this text.`,
  ),
  labels: labelsSchema.optional(),
  tags: tagsSchema.default([]).describe('Tags to filter recall and forget by (e.g. a user, a project)'),
  time: timeArg('When it happened; default: now').optional(),
  decision: z
    .object({
      options: z.array(name).min(2).max(64),
      scenarios: z.array(name).min(1).max(64),
      chosen: name.describe('the option taken (one of options)'),
      happened: name.optional().describe('the scenario that happened (one of scenarios); leave out while unknown'),
      outcome: z.number().optional().describe('the realised outcome of the chosen option, in your units'),
      outcomes: z
        .array(z.array(z.number()))
        .optional()
        .describe(
          'options × scenarios outcome matrix (as regret_forecast takes it); with happened, the realised regret is computed',
        ),
    })
    .optional()
    .describe('Makes this a decision record'),
});

const output = z.object({ record: recordSchema, memory: storeSchema });

function checkDecision(d: NonNullable<z.infer<typeof input>['decision']>): MemoryDecision {
  const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  if (dup(d.options)) throw new ToolError('invalid_input', `decision.options lists '${dup(d.options)}' twice`);
  if (dup(d.scenarios)) throw new ToolError('invalid_input', `decision.scenarios lists '${dup(d.scenarios)}' twice`);
  const chosen = d.options.indexOf(d.chosen);
  if (chosen < 0)
    throw new ToolError(
      'invalid_input',
      `decision.chosen '${d.chosen}' is not one of the options (${d.options.join(', ')})`,
    );
  const happened = d.happened === undefined ? -1 : d.scenarios.indexOf(d.happened);
  if (d.happened !== undefined && happened < 0)
    throw new ToolError(
      'invalid_input',
      `decision.happened '${d.happened}' is not one of the scenarios (${d.scenarios.join(', ')})`,
    );
  if (d.outcomes) {
    if (d.outcomes.length !== d.options.length || d.outcomes.some((r) => r.length !== d.scenarios.length)) {
      throw new ToolError(
        'invalid_input',
        `decision.outcomes must be ${d.options.length} options × ${d.scenarios.length} scenarios`,
      );
    }
  }
  const regret = d.outcomes && happened >= 0 ? realisedRegret(d.outcomes, chosen, happened) : undefined;
  return { ...d, ...(regret !== undefined ? { regret } : {}) };
}

export const rememberTool = memoryTool({
  name: 'remember',
  title: 'Remember a case or a decision',
  description:
    'Stores a case or a decision in the experience memory (on only when the server runs with --memory). A case is a text with the labels ' +
    'that are true of it (GoEmotions, KOTE or Ekman names; e.g. a correction "anger, not pity"); a ' +
    'decision adds options, scenarios, the option ' +
    'chosen, the scenario that happened and the realised outcome. recall finds it again by similarity; ' +
    'analyze_emotion with memory: true reads labelled cases.',
  input,
  output,
  changesMemory: 'adds',
  run: async (args, ctx, memory) => {
    const decision = args.decision ? checkDecision(args.decision) : undefined;
    const { engine, model, vectors } = await embedForMemory(ctx, [{ name: 'text', text: args.text }]);
    const labels = checkLabels(args.labels, engine.model);
    const time = parseTime(args.time, Date.now()) as number;
    const [rec] = memory.add(
      [
        {
          record: {
            kind: decision ? 'decision' : 'case',
            text: args.text,
            labels,
            tags: [...new Set(args.tags)],
            time,
            ...(decision ? { decision } : {}),
          },
          vector: vectors[0],
        },
      ],
      model,
    );
    const store = storeOut(memory, model);
    const what = Object.entries(labels)
      .map(([k, v]) => `${k}: ${(v as string[]).join(', ')}`)
      .join('; ');
    return {
      structured: { record: recordOut(rec), memory: store },
      summary:
        `remembered #${rec.id} (${rec.kind}${what ? `; ${what}` : ''}` +
        `${decision?.happened ? `; happened: ${decision.happened}` : ''}); ${store.records} records in ${memory.path}`,
    };
  },
});
