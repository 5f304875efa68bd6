// The `memory` block of regret_forecast (memory: true): similar past decisions from the experience memory with
// the scenario that happened and the regret realised, and, for the caller's scenarios that carry the name of a
// recorded one, the counts and a Dirichlet posterior of their probabilities beside the caller's own probabilities,
// which the analysis above keeps using (docs/memory.md).
import { z } from 'zod';
import { dirichletPosterior } from '../analysis/memory/index.js';
import { ToolError } from '../core/errors.js';
import { round4 } from '../core/numbers.js';
import { embedForMemory, memoryFor, neighbourOut, neighbourSchema } from './memory-input.js';
import type { ToolContext } from './types.js';

export const DECISION_NEIGHBOURS = 10;

export const decisionMemorySchema = z
  .object({
    similar: z.array(
      neighbourSchema.extend({
        chosen: z.string(),
        happened: z.string().optional(),
        outcome: z.number().optional(),
        regret: z.number().optional(),
      }),
    ),
    scenarios: z
      .array(
        z.object({
          name: z.string(),
          caller_probability: z.number(),
          times_happened: z.number().int(),
          posterior_mean: z.number(),
        }),
      )
      .describe(
        'per caller scenario: how often a similar past decision ended in a scenario of that name, and the Dirichlet posterior mean',
      ),
    rule: z.string(),
  })
  .describe(
    "memory: true: similar past decisions and what happened; the analysis above still uses the caller's probabilities",
  );

interface Args {
  decision?: string;
  options?: Array<{ name: string }>;
  scenarios?: Array<{ name: string; probability?: number }>;
}

export async function decisionMemory(ctx: ToolContext, args: Args): Promise<z.infer<typeof decisionMemorySchema>> {
  const memory = memoryFor(ctx);
  const text =
    args.decision ??
    (args.options
      ? `${args.options.map((o) => o.name).join(' / ')}${args.scenarios ? ` under ${args.scenarios.map((s) => s.name).join(' / ')}` : ''}`
      : undefined);
  if (!text)
    throw new ToolError(
      'invalid_input',
      'memory: true needs a `decision` text or `options` to find similar past decisions by',
    );
  const { model, vectors } = await embedForMemory(ctx, [{ name: 'decision', text }]);
  const found = memory.search(vectors[0], DECISION_NEIGHBOURS, model, { kind: 'decision' }).matches;
  const scen = args.scenarios ?? [];
  const given = scen.every((s) => s.probability !== undefined);
  const prior = scen.map((s) => (given ? (s.probability as number) : 1 / scen.length));
  const counts = scen.map((s) => found.filter((f) => f.record.decision?.happened === s.name).length);
  const post = scen.length ? dirichletPosterior(prior, counts, scen.length) : [];
  return {
    similar: found.map((f) => ({
      ...neighbourOut(f),
      chosen: f.record.decision?.chosen ?? '',
      ...(f.record.decision?.happened !== undefined ? { happened: f.record.decision.happened } : {}),
      ...(f.record.decision?.outcome !== undefined ? { outcome: f.record.decision.outcome } : {}),
      ...(f.record.decision?.regret !== undefined ? { regret: f.record.decision.regret } : {}),
    })),
    scenarios: scen.map((s, i) => ({
      name: s.name,
      caller_probability: round4(prior[i]),
      times_happened: counts[i],
      posterior_mean: round4(post[i]),
    })),
    rule:
      `the ${DECISION_NEIGHBOURS} most similar recorded decisions (cosine of the embeddings of the ` +
      `decision text, or of "options under scenarios"); posterior mean = (S·p + n) / (S + Σn) with S = ` +
      `${scen.length} scenarios as the prior's weight in pseudo-observations, p the caller's probabilities ` +
      `(uniform when none were given), n how often each scenario happened`,
  };
}
