// The `sensitivity` block of regret_forecast: its zod output schema and the presenter that turns the analysis layer's
// indices into option and scenario names. Formulas: src/analysis/regret/sensitivity.ts and docs/regret.md,
// "Sensitivity and robustness".
import { z } from 'zod';
import {
  FRAGILE_K_FACTOR,
  FRAGILE_MASS,
  FRAGILE_SHARE,
  type CriterionSensitivity,
  type FragileReason,
  type Sensitivity,
} from '../analysis/regret/index.js';
import { fmt } from '../core/numbers.js';

const names = z.array(z.string());
const interval = z.object({ from: z.number(), to: z.number(), winners: names });

const criterion = z.object({
  choice: names.describe('the choice at the given probabilities (ties listed together)'),
  threshold: z
    .number()
    .nullable()
    .describe(
      'smallest probability mass (total variation ½Σ|p − q|) whose move makes the choice lose its unique lead; ' +
        '0 = already a tie; null = no probabilities change it',
    ),
  rivals: names.describe('the options that tie with the choice at the threshold'),
  move: z
    .object({
      to: z.string().describe('scenario that receives the moved mass'),
      from: z
        .array(z.object({ scenario: z.string(), amount: z.number() }))
        .describe('scenarios the mass comes from, and how much from each'),
    })
    .nullable(),
  probabilities_at_threshold: z.array(z.object({ scenario: z.string(), probability: z.number() })).nullable(),
  two_scenario: z
    .object({
      scenario: z.string().describe('q is the probability of this (the first) scenario'),
      intervals: z.array(interval).describe('the chosen option(s) for each interval of q; breakpoints exact'),
      below: z.number().nullable().describe('nearest breakpoint at or below the given q (null: none)'),
      above: z.number().nullable().describe('nearest breakpoint at or above the given q (null: none)'),
    })
    .optional()
    .describe('two scenarios only'),
});

const share = z.array(z.object({ option: z.string(), share: z.number().min(0).max(1) }));

export const FRAGILE_RULE =
  `the regret-averse choice is a tie, or moving less than ${FRAGILE_MASS} of the probability mass (total variation) changes it, ` +
  `or (with probability_concentration) it is best in fewer than ${FRAGILE_SHARE * 100} % of the Dirichlet draws, ` +
  `or it changes for some regret_aversion in [k/${FRAGILE_K_FACTOR}, ${FRAGILE_K_FACTOR}k]`;

export const sensitivitySchema = z.object({
  dominated: z
    .array(
      z.object({
        option: z.string(),
        dominated_by: z.array(
          z.object({
            option: z.string(),
            strictly: z.boolean().describe('better in every scenario (else: never worse, better in one)'),
          }),
        ),
      }),
    )
    .describe('options dominated by another (exact comparisons)'),
  laplace: names.describe('Laplace choice: the best mean utility, i.e. max expected utility at equal probabilities'),
  probability: z.object({
    norm: z.literal('total_variation').describe('distances are ½ Σ_s |p_s − q_s|, the probability mass moved'),
    max_expected_utility: criterion,
    regret_averse: criterion,
  }),
  hurwicz: z
    .array(interval)
    .describe('intervals of the Hurwicz α in [0, 1] with the winner(s) on each; breakpoints exact'),
  regret_aversion: z.object({
    range: z.tuple([z.number(), z.number()]).describe('the scanned range of k (caller units)'),
    resolution: z.number().describe('grid step in k: changes closer together than this may be missed'),
    at_zero: names.describe('the regret-averse choice at k = 0 (= the max-EU choice)'),
    changes: z
      .array(z.object({ k: z.number(), from: names, to: names }))
      .describe('values of k where the regret-averse choice changes'),
  }),
  probability_uncertainty: z
    .object({
      concentration: z.number(),
      samples: z.number().int(),
      seed: z.number().int(),
      max_expected_utility: share,
      regret_averse: share,
    })
    .optional()
    .describe('only with probability_concentration: share of Dirichlet(c·p) draws in which each option is best'),
  fragile: z.object({
    value: z.boolean(),
    reasons: z.array(z.string()),
    rule: z.string(),
  }),
});

export type SensitivityOut = z.infer<typeof sensitivitySchema>;

function presentCriterion(
  c: CriterionSensitivity,
  options: readonly string[],
  scenarios: readonly string[],
): z.infer<typeof criterion> {
  const pick = (idx: readonly number[]) => idx.map((i) => options[i]);
  return {
    choice: pick(c.choice),
    threshold: c.threshold,
    rivals: pick(c.rivals),
    move: c.move && {
      to: scenarios[c.move.to],
      from: c.move.from.map((f) => ({ scenario: scenarios[f.scenario], amount: f.amount })),
    },
    probabilities_at_threshold:
      c.probabilitiesAtThreshold &&
      c.probabilitiesAtThreshold.map((probability, s) => ({ scenario: scenarios[s], probability })),
    ...(c.twoScenario
      ? {
          two_scenario: {
            scenario: scenarios[0],
            intervals: c.twoScenario.intervals.map((iv) => ({ from: iv.from, to: iv.to, winners: pick(iv.winners) })),
            below: c.twoScenario.below,
            above: c.twoScenario.above,
          },
        }
      : {}),
  };
}

function reasonText(r: FragileReason, options: readonly string[]): string {
  switch (r.code) {
    case 'tie':
      return `tie between ${r.options.map((i) => options[i]).join(' and ')}`;
    case 'probability_shift':
      return `moving ${fmt(r.threshold)} of the probability mass changes it`;
    case 'sampled_share':
      return `best in only ${fmt(100 * r.share)} % of the Dirichlet draws`;
    case 'regret_aversion':
      return `it changes at regret_aversion k = ${fmt(r.k)}`;
  }
}

export function presentSensitivity(
  s: Sensitivity,
  options: readonly string[],
  scenarios: readonly string[],
): SensitivityOut {
  const pick = (idx: readonly number[]) => idx.map((i) => options[i]);
  const shares = (xs: readonly number[]) => xs.map((x, i) => ({ option: options[i], share: x }));
  return {
    dominated: s.dominated.map((d) => ({
      option: options[d.option],
      dominated_by: d.by.map((b) => ({ option: options[b.option], strictly: b.strict })),
    })),
    laplace: pick(s.laplace),
    probability: {
      norm: 'total_variation',
      max_expected_utility: presentCriterion(s.probability.maxExpectedUtility, options, scenarios),
      regret_averse: presentCriterion(s.probability.regretAverse, options, scenarios),
    },
    hurwicz: s.hurwicz.map((iv) => ({ from: iv.from, to: iv.to, winners: pick(iv.winners) })),
    regret_aversion: {
      range: s.regretAversion.range,
      resolution: s.regretAversion.resolution,
      at_zero: pick(s.regretAversion.atZero),
      changes: s.regretAversion.changes.map((c) => ({ k: c.k, from: pick(c.from), to: pick(c.to) })),
    },
    ...(s.uncertainty
      ? {
          probability_uncertainty: {
            concentration: s.uncertainty.concentration,
            samples: s.uncertainty.samples,
            seed: s.uncertainty.seed,
            max_expected_utility: shares(s.uncertainty.maxExpectedUtility),
            regret_averse: shares(s.uncertainty.regretAverse),
          },
        }
      : {}),
    fragile: {
      value: s.fragile.value,
      reasons: s.fragile.reasons.map((r) => reasonText(r, options)),
      rule: FRAGILE_RULE,
    },
  };
}

/** One or two sentences for the explanation. */
export function explainSensitivity(s: SensitivityOut, nScenarios: number): string {
  const parts: string[] = [];
  const meu = s.probability.max_expected_utility;
  if (nScenarios === 1) {
    // One scenario: probabilities cannot move, nothing to say about them.
  } else if (meu.threshold !== null && meu.threshold > 0) {
    parts.push(
      `Max-EU choice ${meu.choice.join(' = ')} holds until ${fmt(meu.threshold)} of the probability mass ` +
        `moves${meu.move ? ` to "${meu.move.to}"` : ''} (then ${meu.rivals.join(' = ')})`,
    );
  } else if (meu.threshold === null) {
    parts.push(`No change of probabilities displaces the max-EU choice ${meu.choice.join(' = ')}`);
  }
  if (s.dominated.length) parts.push(`dominated: ${s.dominated.map((d) => d.option).join(', ')}`);
  parts.push(s.fragile.value ? `fragile (${s.fragile.reasons.join('; ')})` : 'not fragile');
  return `${parts.join('; ')}.`;
}
