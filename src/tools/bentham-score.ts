// bentham_score: Bentham's calculus on explicit parties (exact, no model), or on a scenario text whose variables are
// estimated by the model. Formulas: src/analysis/bentham and docs/bentham.md.
import { z } from 'zod';
import {
  LAYERS,
  PROFILES,
  TEXT_DIMENSIONS,
  estimateBenthamFromText,
  resolveLayers,
  scoreBentham,
  weightsOf,
  type BenthamScore,
  type BenthamTextEstimate,
  type Effect,
  type Layer,
  type Party,
  type ResolvedLayer,
  type TextDimension,
  type V2,
} from '../analysis/bentham/index.js';
import { oneSentimentOf } from '../analysis/emotion/index.js';
import { fmt, signed } from '../core/numbers.js';
import { readEstimateText } from './text-estimate.js';
import { checkTexts, textArg } from './text-input.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

const unit = (what: string) => z.number().min(0).max(1).describe(what);

const effectSchema = z.object({
  kind: z.enum(['pleasure', 'pain']).describe('whether this effect is a pleasure (+) or a pain (−)'),
  intensity: unit('how strong the feeling is, 0..1'),
  duration: unit('how long it lasts, 0..1 (relative)'),
  certainty: unit('probability that it happens, 0..1'),
  propinquity: unit('nearness in time, 1 = immediate, 0..1'),
  fecundity: unit('chance it is followed by more of the same kind, 0..1'),
  purity: unit('chance it is NOT followed by the opposite kind, 0..1'),
  description: z.string().max(500).optional().describe('what the effect is (used in the explanation)'),
});

const partySchema = z.object({
  name: z.string().min(1).max(200).describe('who is affected'),
  count: z.number().int().min(1).default(1).describe('how many people this party stands for (default 1)'),
  effects: z.array(effectSchema).min(1).max(100).describe('the pleasures and pains this party receives'),
});

const layerOverrides = z.object(
  Object.fromEntries(
    LAYERS.map((l) => [l, z.number().optional()]), // the object's description gives the range
  ) as Record<Layer, z.ZodOptional<z.ZodNumber>>,
);

const input = z.object({
  scenario: textArg(
    'text describing the action and its consequences; used alone (without parties) it makes the model estimate ' +
      'the variables — pass `parties` instead for exact results',
  ).optional(),
  parties: z
    .array(partySchema)
    .min(1)
    .max(200)
    .optional()
    .describe('explicit parties with their effects: exact, no model needed'),
  v2: z
    .object({
      external_cost: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe('cost pushed onto people not listed, as a share of the total stakes (0..1, default 0)'),
      redistribution_effect: z
        .number()
        .min(-1)
        .max(1)
        .optional()
        .describe('+1 = benefits flow to the worse-off, −1 = to the better-off (default 0)'),
      self_damage: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe('share of the pleasure the actor pays back as harm to itself (0..1, default 0)'),
    })
    .optional()
    .describe('v2 corrections beyond the classic calculus'),
  layer_weights: layerOverrides
    .optional()
    .describe('overrides of the six weight layers (default 1 or the profile preset), each clamped to [0.3, 2.5]'),
  profile: z
    .enum(PROFILES)
    .default('neutral')
    .describe('cultural weighting preset of the layers (default neutral = all 1)'),
});

const variable = z.object({
  value: z.number(),
  source: z.enum(['given', 'estimated', 'default']),
  confidence: z.number().min(0).max(1).optional().describe('for estimated values: how certain the model was, 0..1'),
  basis: z.string().optional().describe('how the value was obtained'),
});

const VARIABLE_NAMES = [
  'intensity',
  'duration',
  'certainty',
  'propinquity',
  'fecundity',
  'purity',
  'extent',
  'external_cost',
  'redistribution_effect',
  'self_damage',
] as const;
type VariableName = (typeof VARIABLE_NAMES)[number];
type VariableOut = z.infer<typeof variable>;

const layerOut = z.object({
  weight: z.number(),
  source: z.enum(['default', 'profile', 'given']),
  requested: z.number().optional().describe('the requested value when it was outside [0.3, 2.5] and was clamped'),
});

const output = z.object({
  mode: z
    .enum(['structured', 'text'])
    .describe(
      'structured = computed from the given parties; text = variables estimated from the scenario by the model',
    ),
  variables: z
    .object(Object.fromEntries(VARIABLE_NAMES.map((n) => [n, variable])) as Record<VariableName, typeof variable>)
    .describe(
      'the ten variables; for given parties the six effect dimensions are count-weighted means over all ' +
        'effects and extent is the total head count',
    ),
  parties: z.array(
    z.object({
      name: z.string(),
      count: z.number(),
      pleasure: z.number().describe('count × Σ classic pleasure values'),
      pain: z.number().describe('count × Σ |classic pain values|'),
      net: z.number().describe('pleasure − pain'),
      extent: z.number(),
      weighted_net: z.number().describe("this party's share of final_score (after layers, before v2)"),
    }),
  ),
  extent: z.number().describe('Σ counts'),
  classic_total: z.number().describe('Σ party nets (classic calculus, no layers, no v2)'),
  profile: z.enum(PROFILES),
  layer_weights: z.object(Object.fromEntries(LAYERS.map((l) => [l, layerOut])) as Record<Layer, typeof layerOut>),
  gross_stakes: z
    .number()
    .describe('Σ |layered values| × effective counts: the scale ethical_score and the verdict compare against'),
  v2_adjustment: z.object({
    external_cost: z.number(),
    redistribution: z.number(),
    self_damage: z.number(),
    total: z.number(),
  }),
  final_score: z.number(),
  ethical_score: z.number().min(0).max(1).describe('½(1 + tanh(final_score / (w_contextual × gross_stakes)))'),
  verdict: z
    .enum(['net_pleasure', 'net_pain', 'balanced'])
    .describe('balanced when |final_score| ≤ 5 % of the weighted gross stakes'),
  largest_terms: z
    .array(z.object({ label: z.string(), value: z.number() }))
    .describe('the largest additive terms of final_score'),
  explanation: z.string(),
  estimation: z
    .object({
      model: z.string(),
      kind: z.object({ value: z.enum(['pleasure', 'pain']), confidence: z.number(), basis: z.string() }),
      signals: z.record(z.string(), z.number()),
    })
    .optional()
    .describe('text mode only: the model outputs the estimates came from'),
});

type Args = z.infer<typeof input>;
export type BenthamOutput = z.infer<typeof output>;

/** The calculus on the given or estimated parties, with where every variable came from. */
export interface BenthamResult {
  mode: 'structured' | 'text';
  profile: Args['profile'];
  variables: Record<VariableName, VariableOut>;
  layers: Record<Layer, ResolvedLayer>;
  score: BenthamScore;
  /** Text mode: the model and the outputs the estimates came from. */
  estimation?: { model: string; kind: BenthamTextEstimate['kind']; signals: BenthamTextEstimate['signals'] };
}

function v2Of(args: Args): V2 {
  return {
    externalCost: args.v2?.external_cost ?? 0,
    redistributionEffect: args.v2?.redistribution_effect ?? 0,
    selfDamage: args.v2?.self_damage ?? 0,
  };
}

function v2Variables(
  args: Args,
): Pick<Record<VariableName, VariableOut>, 'external_cost' | 'redistribution_effect' | 'self_damage'> {
  const one = (v: number | undefined): VariableOut =>
    v === undefined ? { value: 0, source: 'default' } : { value: v, source: 'given' };
  return {
    external_cost: one(args.v2?.external_cost),
    redistribution_effect: one(args.v2?.redistribution_effect),
    self_damage: one(args.v2?.self_damage),
  };
}

/** Count-weighted mean of one dimension over every effect of every party. */
function meanDimension(parties: readonly Party[], dim: TextDimension): number {
  let sum = 0;
  let weight = 0;
  for (const p of parties)
    for (const e of p.effects) {
      sum += p.count * e[dim];
      weight += p.count;
    }
  return sum / weight;
}

function scored(
  mode: BenthamResult['mode'],
  args: Args,
  parties: Party[],
  variables: Record<VariableName, VariableOut>,
): BenthamResult {
  const layers = resolveLayers(args.profile, args.layer_weights ?? {});
  return {
    mode,
    profile: args.profile,
    variables,
    layers,
    score: scoreBentham(parties, v2Of(args), weightsOf(layers)),
  };
}

export async function computeBentham(args: Args, ctx: ToolContext): Promise<BenthamResult> {
  if (args.parties !== undefined) {
    // A scenario given alongside parties is not analysed, but it is still held to the text limit.
    if (args.scenario !== undefined) checkTexts([{ name: 'scenario', text: args.scenario }], ctx.services.limits);
    const parties: Party[] = args.parties.map((p) => ({
      name: p.name,
      count: p.count,
      effects: p.effects.map((e): Effect => ({ ...e })),
    }));
    const given = (v: number): VariableOut => ({ value: v, source: 'given' });
    const variables = {
      ...(Object.fromEntries(TEXT_DIMENSIONS.map((d) => [d, given(meanDimension(parties, d))])) as Record<
        TextDimension,
        VariableOut
      >),
      extent: given(parties.reduce((n, p) => n + p.count, 0)),
      ...v2Variables(args),
    };
    return scored('structured', args, parties, variables);
  }
  const { reader, analysis } = await readEstimateText(
    ctx,
    'scenario',
    args.scenario,
    'give `parties` (exact calculus) or a `scenario` text (model estimate); neither was given',
  );
  const estimate = estimateBenthamFromText(
    analysis,
    reader.model.labels,
    oneSentimentOf(analysis, reader.model)?.probability,
  );
  const parties: Party[] = [{ name: 'those affected (estimated)', count: 1, effects: [...estimate.effects] }];
  const variables: Record<VariableName, VariableOut> = {
    ...estimate.variables,
    extent: { value: 1, source: 'default', basis: 'the model cannot count the people affected; one party of one' },
    ...v2Variables(args),
  };
  return {
    ...scored('text', args, parties, variables),
    estimation: { model: reader.model.id, kind: estimate.kind, signals: estimate.signals },
  };
}

function explain(score: BenthamScore): string {
  const top = score.terms.filter((t) => t.value !== 0).slice(0, 3);
  const verdict = { net_pleasure: 'net pleasure', net_pain: 'net pain', balanced: 'balanced' }[score.verdict];
  const head =
    `Final score ${fmt(score.finalScore)} (${verdict}; ethical score ${fmt(score.ethicalScore)}; classic total ` +
    `${fmt(score.classicTotal)} over ${score.extent} people).`;
  if (top.length === 0) return `${head} Every term is zero.`;
  return `${head} Largest terms: ${top.map((t) => `${t.label} ${signed(t.value)}`).join('; ')}.`;
}

export function presentBentham(r: BenthamResult): ToolOutput<BenthamOutput> {
  const { score } = r;
  const structured: BenthamOutput = {
    mode: r.mode,
    variables: r.variables,
    parties: score.parties.map((p) => ({
      name: p.name,
      count: p.count,
      pleasure: p.pleasure,
      pain: p.pain,
      net: p.net,
      extent: p.extent,
      weighted_net: p.weightedNet,
    })),
    extent: score.extent,
    classic_total: score.classicTotal,
    profile: r.profile,
    layer_weights: r.layers,
    gross_stakes: score.grossStakes,
    v2_adjustment: {
      external_cost: score.v2Adjustment.externalCost,
      redistribution: score.v2Adjustment.redistribution,
      self_damage: score.v2Adjustment.selfDamage,
      total: score.v2Adjustment.total,
    },
    final_score: score.finalScore,
    ethical_score: score.ethicalScore,
    verdict: score.verdict,
    largest_terms: score.terms.slice(0, 5),
    explanation: explain(score),
    ...(r.estimation ? { estimation: r.estimation } : {}),
  };
  const summary = r.estimation
    ? `${structured.explanation} Variables estimated from the text by model ${r.estimation.model} (one pleasure ` +
      `and one pain weighted by P(positive) = ${fmt(r.estimation.signals.positive)}); see variables[].source. ` +
      'Pass `parties` for an exact score.'
    : structured.explanation;
  return { structured, summary };
}

export const benthamScoreTool: ToolDefinition<typeof input, typeof output> = {
  name: 'bentham_score',
  title: "Bentham's felicific calculus",
  description:
    "Scores whether an action produces net pleasure or net pain with Bentham's calculus (intensity, duration, certainty, " +
    'propinquity, fecundity, purity, extent) plus v2 corrections (external cost, redistribution, self-damage), six weight ' +
    'layers and cultural profiles. For exact results (no model, every number explained), pass `parties` — you can usually ' +
    'write them from the situation yourself: `parties: [{ name: "tenants", count: 40, effects: [{ kind: "pain", ' +
    'intensity: 0.7, duration: 0.8, certainty: 0.9, propinquity: 1, fecundity: 0.2, purity: 0.8 }] }, { name: "owner", ' +
    'effects: [{ kind: "pleasure", intensity: 0.6, duration: 0.5, certainty: 0.9, propinquity: 0.8, fecundity: 0, ' +
    'purity: 1 }] }]` (each dimension 0..1). With only a `scenario` text the model estimates the variables (marked ' +
    '"estimated"): one pleasure and one pain weighted by its P(positive), so that score is a rough, continuous reading. ' +
    'Returns every variable with its source, per-party pleasure/pain/net, classic_total, final_score, ethical_score (0..1), ' +
    'a verdict and the largest terms.',
  input,
  output,
  cache: 'args',
  cacheKeyNeedsModel: (args) => args.parties === undefined,
  handler: async (args, ctx) => presentBentham(await computeBentham(args, ctx)),
};
