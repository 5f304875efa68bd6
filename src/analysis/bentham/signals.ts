// Reading named signals out of a model's outputs. Labels are looked up by name in the model's own label lists
// (never by a hard-coded position), and a label a mapping needs but the model lacks is an error, not a zero.
// Shared by the Bentham and regret text mappings.

/** The subset of a TextAnalysis (src/engine/types.ts) that the mappings read; plain numbers keep them unit-testable. */
export interface ModelSignals {
  goemotions: ArrayLike<number>;
  kote: ArrayLike<number>;
  positive: number;
  utility: number;
  vad: readonly [number, number, number] | readonly number[];
}

export interface ModelLabels {
  goemotions: readonly string[];
  kote: readonly string[];
}

export class MappingError extends Error {
  override name = 'MappingError';
}

/** GoEmotions sentiment grouping (Demszky et al. 2020, the dataset's sentiment_mapping.json). */
export const GO_POSITIVE = [
  'admiration', 'amusement', 'approval', 'caring', 'desire', 'excitement', 'gratitude', 'joy', 'love', 'optimism', 'pride', 'relief',
] as const;
export const GO_NEGATIVE = [
  'anger', 'annoyance', 'disappointment', 'disapproval', 'disgust', 'embarrassment', 'fear', 'grief', 'nervousness', 'remorse', 'sadness',
] as const;

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** EmoBank's 1..5 scale mapped linearly onto [0, 1] (clamped: a regression head can overshoot). */
export function unitFromEmoBank(x: number): number {
  return clamp01((x - 1) / 4);
}

export function labelProbability(probs: ArrayLike<number>, labels: readonly string[], name: string, head: string): number {
  const i = labels.indexOf(name);
  if (i < 0) throw new MappingError(`the model's ${head} label list has no '${name}', which the text mapping needs`);
  if (i >= probs.length) throw new MappingError(`the model returned ${probs.length} ${head} probabilities but its label list has ${labels.length}`);
  return probs[i];
}

/** Largest probability among the named labels (the strongest cue of the group). */
export function groupMax(probs: ArrayLike<number>, labels: readonly string[], names: readonly string[], head: string): number {
  let best = 0;
  for (const name of names) best = Math.max(best, labelProbability(probs, labels, name, head));
  return best;
}
