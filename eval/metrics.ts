// Metrics for `npm run eval`, written to match the definitions in training/evaluate.py (see docs/engine.md).

/** Per-label F1 with zero_division = 0 (sklearn's default behaviour), and their unweighted mean. */
export function macroF1(gold: boolean[][], pred: boolean[][], nLabels: number): { macro: number; perLabel: number[] } {
  const tp = new Array(nLabels).fill(0);
  const fp = new Array(nLabels).fill(0);
  const fn = new Array(nLabels).fill(0);
  for (let r = 0; r < gold.length; r++) {
    for (let j = 0; j < nLabels; j++) {
      const g = gold[r][j];
      const p = pred[r][j];
      if (g && p) tp[j]++;
      else if (p) fp[j]++;
      else if (g) fn[j]++;
    }
  }
  const perLabel = tp.map((t, j) => {
    const denom = 2 * t + fp[j] + fn[j];
    return denom === 0 ? 0 : (2 * t) / denom;
  });
  return { macro: perLabel.reduce((a, b) => a + b, 0) / nLabels, perLabel };
}

export function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function accuracy(correct: boolean[]): number {
  return correct.length ? correct.filter(Boolean).length / correct.length : 0;
}
