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

// ---- the same metrics on a subset of rows (indices, repeats allowed): bootstrap resamples and the
// duplicate-free test sets use these, without copying the data ----

export function macroF1On(gold: boolean[][], pred: boolean[][], nLabels: number, rows: ArrayLike<number>): number {
  const tp = new Float64Array(nLabels);
  const fp = new Float64Array(nLabels);
  const fn = new Float64Array(nLabels);
  for (let k = 0; k < rows.length; k++) {
    const g = gold[rows[k]];
    const p = pred[rows[k]];
    for (let j = 0; j < nLabels; j++) {
      if (g[j] && p[j]) tp[j]++;
      else if (p[j]) fp[j]++;
      else if (g[j]) fn[j]++;
    }
  }
  let sum = 0;
  for (let j = 0; j < nLabels; j++) {
    const denom = 2 * tp[j] + fp[j] + fn[j];
    sum += denom === 0 ? 0 : (2 * tp[j]) / denom;
  }
  return sum / nLabels;
}

export function accuracyOn(correct: boolean[], rows: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < rows.length; i++) if (correct[rows[i]]) k++;
  return rows.length ? k / rows.length : 0;
}

export function pearsonOn(x: number[], y: number[], rows: ArrayLike<number>): number {
  const xs = Array.from(rows, (i) => x[i]);
  const ys = Array.from(rows, (i) => y[i]);
  return pearson(xs, ys);
}

/** training/evaluate.py's threshold grid: 0.01, 0.02, …, 0.99. */
export const THRESHOLD_GRID = Array.from({ length: 99 }, (_, k) => (k + 1) / 100);

/**
 * Per-label decision thresholds as training/evaluate.py `tune` fits them: the grid value with the highest F1
 * (prediction = score ≥ t), ties to the lowest; 0.5 for a label with no gold positives.
 */
export function tuneThresholds(gold: boolean[][], scores: ArrayLike<number>[], nLabels: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < nLabels; j++) {
    if (!gold.some((g) => g[j])) {
      out.push(0.5);
      continue;
    }
    let best = -1;
    let bt = 0.5;
    for (const t of THRESHOLD_GRID) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let r = 0; r < gold.length; r++) {
        const p = scores[r][j] >= t;
        if (gold[r][j] && p) tp++;
        else if (p) fp++;
        else if (gold[r][j]) fn++;
      }
      const v = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      if (v > best + 1e-12) {
        best = v;
        bt = t;
      }
    }
    out.push(bt);
  }
  return out;
}
