// Numeric helpers shared by the analysis formulas and the tool presenters.

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export const clamp01 = (x: number): number => clamp(x, 0, 1);

/** EmoBank's 1..5 scale mapped linearly onto [0, 1] (clamped: a regression head can overshoot). */
export const unitFromEmoBank = (x: number): number => clamp01((x - 1) / 4);

/** EmoBank's 1..5 scale mapped linearly onto [−1, 1] around its midpoint 3 (clamped). */
export const signedFromEmoBank = (x: number): number => clamp((x - 3) / 2, -1, 1);

/** x rounded to 3 decimals (summaries). */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Every number in a plain value rounded to 4 decimals (structured outputs meant for reading). */
export function round4<T>(v: T): T {
  if (typeof v === 'number') return (Math.round(v * 1e4) / 1e4) as T;
  if (Array.isArray(v)) return v.map(round4) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round4(x)])) as T;
  return v;
}

/** Four significant digits for explanations; never "-0". */
export function fmt(x: number): string {
  const r = Number(x.toPrecision(4));
  return Object.is(r, -0) ? '0' : String(r);
}

/** fmt with an explicit + for positive values. */
export const signed = (x: number): string => (x > 0 ? `+${fmt(x)}` : fmt(x));
