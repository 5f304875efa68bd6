// How many equal-width bins per axis a sample can support. SURD's plug-in estimates are biased upwards when the
// joint table has few samples per cell (the bias of plug-in mutual information grows with the number of cells
// over the number of samples, Miller 1955; Paninski 2003), and the bias lands mostly in high-order synergy. The
// rule: every axis gets the same number of bins b, the largest in 2..AUTO_MAX_BINS with at least
// SAMPLES_PER_CELL samples per cell of the largest table the method builds (target + all sources, or target +
// max_order sources for the high-dimensional variant).

/** Samples per joint cell below which a decomposition is reported as unreliable. */
export const SAMPLES_PER_CELL = 10;
/** Upper end of the automatic choice (finer bins rarely help and cost memory). */
export const AUTO_MAX_BINS = 16;

/** Axes of the largest table: the target plus all `sources`, or plus `maxOrder` of them. */
export function largestTableAxes(sources: number, maxOrder?: number): number {
  return 1 + (maxOrder === undefined ? sources : Math.min(maxOrder, sources));
}

/** Cells of the largest table for per-axis bins (target first). */
export function largestTableCells(bins: readonly number[], maxOrder?: number): number {
  const sources = bins.slice(1).sort((x, y) => y - x);
  const kept = maxOrder === undefined ? sources : sources.slice(0, maxOrder);
  return kept.reduce((x, y) => x * y, bins[0]);
}

export interface AutoBins {
  bins: number;
  /** Samples per cell of the largest table at these bins. */
  samplesPerCell: number;
  /** false when even 2 bins leave fewer than SAMPLES_PER_CELL samples per cell. */
  reliable: boolean;
}

/** The largest b in 2..AUTO_MAX_BINS with pairs / b^axes ≥ SAMPLES_PER_CELL (2 when none is). */
export function autoBins(pairs: number, axes: number): AutoBins {
  let bins = 2;
  for (let b = 3; b <= AUTO_MAX_BINS; b++) {
    if (pairs / b ** axes >= SAMPLES_PER_CELL) bins = b;
    else break;
  }
  const samplesPerCell = pairs / bins ** axes;
  return { bins, samplesPerCell, reliable: samplesPerCell >= SAMPLES_PER_CELL };
}
