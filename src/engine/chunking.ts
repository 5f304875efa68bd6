// Long texts: overlapping windows over the content tokens, and how per-window outputs are combined.
//
// Windows: each window holds at most W = max_length − (number of special tokens) content tokens; consecutive
// windows start S = W − ⌊W/4⌋ tokens apart (25 % overlap, so a phrase cut at one window's edge is whole in
// the next). At most MAX_CHUNKS windows are analysed; tokens beyond them are not seen and `truncated` is true.
//
// Aggregation (see docs/engine.md):
// - emotion labels (sigmoid, GoEmotions and KOTE): the MAXIMUM over windows — an emotion present anywhere
//   in the text is present in the text — except the "no emotion" labels (GoEmotions `neutral`, KOTE `없음`),
//   which take the MINIMUM: a text is neutral only if every window is.
// - polarity P(positive), utility and valence/arousal/dominance: the mean over windows weighted by each
//   window's content-token count (global, graded quantities).

export const MAX_CHUNKS = 64;

export interface Window {
  start: number;
  end: number;
}

export function planWindows(
  contentLength: number,
  windowSize: number,
  maxChunks = MAX_CHUNKS,
): { windows: Window[]; truncated: boolean } {
  if (windowSize < 1) throw new Error(`window size must be ≥ 1 (got ${windowSize})`);
  if (contentLength <= windowSize) return { windows: [{ start: 0, end: contentLength }], truncated: false };
  const stride = Math.max(1, windowSize - Math.floor(windowSize / 4));
  const windows: Window[] = [];
  for (let start = 0; ; start += stride) {
    const end = Math.min(contentLength, start + windowSize);
    windows.push({ start, end });
    if (end >= contentLength) return { windows, truncated: false };
    if (windows.length >= maxChunks) return { windows, truncated: true };
  }
}

/** Per-label max over windows, min for the listed "none" label indices. */
export function aggregateLabels(perWindow: Float32Array[], minIndices: readonly number[] = []): Float32Array {
  const n = perWindow[0].length;
  const out = Float32Array.from(perWindow[0]);
  for (let w = 1; w < perWindow.length; w++) {
    const row = perWindow[w];
    for (let i = 0; i < n; i++) if (row[i] > out[i]) out[i] = row[i];
  }
  for (const i of minIndices) {
    let m = perWindow[0][i];
    for (let w = 1; w < perWindow.length; w++) m = Math.min(m, perWindow[w][i]);
    out[i] = m;
  }
  return out;
}

export function weightedMean(values: number[], weights: number[]): number {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * weights[i];
    ws += weights[i];
  }
  return ws > 0 ? s / ws : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Token-weighted mean of per-window probability vectors, for softmax heads (the CPED heads): a per-label maximum
 * would not sum to 1, the weighted mean of distributions does.
 */
export function weightedMeanVector(perWindow: Float32Array[], weights: number[]): Float32Array {
  const n = perWindow[0].length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = weightedMean(
      perWindow.map((row) => row[i]),
      weights,
    );
  return out;
}
