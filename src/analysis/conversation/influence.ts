// Influence at lag 1: does speaker B's valence follow speaker A's previous turn beyond what B's own previous turn
// already says? For every turn of B that directly follows a turn of A (B having spoken before), one sample
// (B now, A just before, B's previous turn) of binned valence is counted in a 3×3×3 table. From the table:
// transfer entropy TE(A→B) = I(B_t; A_{t−1}, B_prev) − I(B_t; B_prev), and the SURD decomposition of
// I(B_t; A_{t−1}, B_prev) (src/analysis/surd), with a permutation p-value (A's bins shuffled across samples).
import type { ConversationLanguage as Language } from './params.js';
import { surdFromTable } from '../surd/index.js';
import { CONVERSATION_PARAMS } from './params.js';
import { mulberry32 } from '../../core/random.js';
import { follow, type Follow } from './follow.js';

export const BINS = 3;
export const CELLS = BINS ** 3;

/** Valence bin 0 (negative), 1 (middle), 2 (positive) by the language's edges; an edge belongs to the bin above. */
export function valenceBin(v: number, language: Language): number {
  const [lo, hi] = CONVERSATION_PARAMS.influence.edges[language];
  return v < lo ? 0 : v < hi ? 1 : 2;
}

/** Cell of (target bin, source bin, own-past bin) in C order, target on axis 0. */
export const cell = (t: number, a: number, b: number) => (t * BINS + a) * BINS + b;

export interface PairInfluence {
  samples: number;
  transferEntropy: number;
  /** SURD of I(B_t; A_{t−1}, B_prev), bits. */
  uniqueFrom: number;
  uniqueSelf: number;
  redundant: number;
  synergistic: number;
  mutualInformation: number;
  pValue: number;
  permutations: number;
}

/** The samples a count table (length 27, `cell` order) holds, cell by cell: each sample's three bins. */
function samplesOf(counts: readonly number[]): { target: number[]; source: number[]; own: number[] } {
  const target: number[] = [];
  const source: number[] = [];
  const own: number[] = [];
  counts.forEach((n, i) => {
    for (let k = 0; k < n; k++) {
      target.push(Math.floor(i / (BINS * BINS)));
      source.push(Math.floor(i / BINS) % BINS);
      own.push(i % BINS);
    }
  });
  return { target, source, own };
}

function transferEntropy(counts: ArrayLike<number>): { te: number; r: ReturnType<typeof surdFromTable> } {
  const r = surdFromTable(counts, [BINS, BINS, BINS]);
  return { te: Math.max(0, r.mutualInformation['1,2'] - r.mutualInformation['2']), r };
}

/** TE and SURD for one direction from its count table (length 27); the caller checks the sample count first. */
export function pairInfluence(counts: readonly number[]): PairInfluence {
  const { permutations, seed } = CONVERSATION_PARAMS.influence;
  const { te, r } = transferEntropy(counts);
  // The table determines the samples up to order, so the test depends on the table only.
  const { target: t, source: a, own: b } = samplesOf(counts);
  const rand = mulberry32(seed); // seeded: the same table gives the same p-value every time
  let atLeast = 0;
  const perm = new Float64Array(CELLS);
  for (let p = 0; p < permutations; p++) {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    perm.fill(0);
    for (let i = 0; i < a.length; i++) perm[cell(t[i], a[i], b[i])]++;
    if (transferEntropy(perm).te >= te - 1e-12) atLeast++;
  }
  return {
    samples: a.length,
    transferEntropy: te,
    uniqueFrom: r.unique['1'],
    uniqueSelf: r.unique['2'],
    redundant: r.redundant['1,2'],
    synergistic: r.synergistic['1,2'],
    mutualInformation: r.mutualInformation['1,2'],
    pValue: (1 + atLeast) / (1 + permutations),
    permutations,
  };
}

/** The small-sample follow statistic (follow.ts) of one direction's table (length 27). */
export function followFromTable(counts: readonly number[]): Follow {
  const { target, source, own } = samplesOf(counts);
  return follow(target, source, own);
}
