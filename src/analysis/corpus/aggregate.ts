// Streaming aggregation of per-row emotion results into the corpus summaries analyze_corpus reports: overall, per
// group, per time bucket, differences between the largest groups, and the top example rows per major label.
// Memory is bounded whatever the number of rows: counts, running moments, fixed-width histograms for quantiles,
// and small per-label heaps of examples. Pure: rows in, summary out.
import { EKMAN, SENTIMENTS, type Ekman, type Sentiment } from '../../core/labels.js';
import type { Language } from '../../core/model.js';
import { BinnedQuantiles, Moments, meanInterval, newcombeDiff, welchDiff, wilson, type Interval } from './stats.js';

export const TAXONOMIES = ['goemotions', 'kote', 'cped'] as const;
export type Taxonomy = (typeof TAXONOMIES)[number];
export type CorpusLanguage = Language;

/** What the aggregator needs from one analysed row. */
export interface RowFacts {
  /** 1-based data row number (header not counted). */
  row: number;
  language: CorpusLanguage;
  taxonomy: Taxonomy;
  /** Native labels at or over their threshold, with their probabilities. */
  detected: ReadonlyArray<{ label: string; score: number }>;
  ekman: Ekman;
  sentiment: Sentiment;
  valence: number;
  arousal: number;
  /** Group value (already stringified); undefined when no group_field. */
  group?: string;
  /** Time bucket key (e.g. 2024-03); undefined when no time_field or the time did not parse. */
  bucket?: string;
  /** Short excerpt of the text, for the example rows. */
  excerpt: string;
}

/** Quantile levels reported for valence and arousal. */
export const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
/** Histogram bins: width 0.001 on valence (−1..1) and arousal (0..1), so quantiles are within 0.0005. */
const VALENCE_BINS = 2000;
const AROUSAL_BINS = 1000;

export interface AggregateOptions {
  /** Most distinct groups tracked; rows of further groups are counted in `groups_overflow_rows`. */
  maxGroups: number;
  /** Most distinct time buckets tracked; rows of further buckets are counted in `buckets_overflow_rows`. */
  maxBuckets: number;
  /** Example rows kept per label. */
  examplesPerLabel: number;
  /** Labels (by detection count) that get example rows. */
  majorLabels: number;
  /** Groups compared pairwise (the largest by rows). */
  comparedGroups: number;
}

export const DEFAULT_AGGREGATE_OPTIONS: AggregateOptions = {
  maxGroups: 200,
  maxBuckets: 2000,
  examplesPerLabel: 3,
  majorLabels: 6,
  comparedGroups: 5,
};

export interface Share {
  label: string;
  count: number;
  share: number;
  /** 95 % Wilson score interval of the share. */
  ci: Interval;
}

export interface ScaleSummary {
  mean: number;
  sd: number | null;
  /** 95 % Student t interval of the mean; null below two rows. */
  ci: Interval | null;
  quantiles: Record<'p05' | 'p25' | 'p50' | 'p75' | 'p95', number>;
}

export interface ScopeSummary {
  rows: number;
  /** Rows per language: en and ko always (as before v2 models), zh and ja when there are some. */
  languages: { en: number; ko: number; zh?: number; ja?: number };
  /** Per taxonomy: share of its rows in which each label was detected (multi-label: shares need not sum to 1). */
  labels: Partial<Record<Taxonomy, Share[]>>;
  /** Share of rows whose dominant Ekman class is each class (sums to 1). */
  ekman: Share[];
  /** Share of rows whose sentiment is each class (sums to 1). */
  sentiment: Share[];
  valence: ScaleSummary | null;
  arousal: ScaleSummary | null;
}

export interface GroupDifference {
  a: string;
  b: string;
  /** mean valence of a − b with Welch's 95 % interval; null when a side has < 2 rows. */
  valence: { diff: number; ci: Interval } | null;
  arousal: { diff: number; ci: Interval } | null;
  /** share positive / negative of a − b with Newcombe's 95 % hybrid score interval. */
  positive: { diff: number; ci: Interval };
  negative: { diff: number; ci: Interval };
}

export interface Example {
  row: number;
  score: number;
  excerpt: string;
}

export interface CorpusSummary {
  overall: ScopeSummary;
  groups: Array<{ group: string } & ScopeSummary>;
  groups_overflow_rows: number;
  group_differences: GroupDifference[];
  time: Array<{ bucket: string } & ScopeSummary>;
  buckets_overflow_rows: number;
  examples: Array<{ taxonomy: Taxonomy; label: string; rows: Example[] }>;
}

class ScopeAccumulator {
  rows = 0;
  languages: Record<CorpusLanguage, number> = { en: 0, ko: 0, zh: 0, ja: 0 };
  taxonomyRows: Record<Taxonomy, number> = { goemotions: 0, kote: 0, cped: 0 };
  labelCounts: Record<Taxonomy, Map<string, number>> = { goemotions: new Map(), kote: new Map(), cped: new Map() };
  ekman = new Map<Ekman, number>();
  sentiment = new Map<Sentiment, number>();
  valence = new Moments();
  arousal = new Moments();
  valenceQ = new BinnedQuantiles(-1, 1, VALENCE_BINS);
  arousalQ = new BinnedQuantiles(0, 1, AROUSAL_BINS);

  add(r: RowFacts): void {
    this.rows++;
    this.languages[r.language]++;
    this.taxonomyRows[r.taxonomy]++;
    const counts = this.labelCounts[r.taxonomy];
    for (const d of r.detected) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
    this.ekman.set(r.ekman, (this.ekman.get(r.ekman) ?? 0) + 1);
    this.sentiment.set(r.sentiment, (this.sentiment.get(r.sentiment) ?? 0) + 1);
    this.valence.add(r.valence);
    this.arousal.add(r.arousal);
    this.valenceQ.add(r.valence);
    this.arousalQ.add(r.arousal);
  }

  summary(): ScopeSummary {
    const labels: ScopeSummary['labels'] = {};
    for (const t of TAXONOMIES) {
      const n = this.taxonomyRows[t];
      if (n === 0) continue;
      labels[t] = [...this.labelCounts[t]]
        .map(([label, count]) => share(label, count, n))
        .sort((x, y) => y.count - x.count || x.label.localeCompare(y.label));
    }
    return {
      rows: this.rows,
      languages: {
        en: this.languages.en,
        ko: this.languages.ko,
        ...(this.languages.zh ? { zh: this.languages.zh } : {}),
        ...(this.languages.ja ? { ja: this.languages.ja } : {}),
      },
      labels,
      ekman: this.rows ? EKMAN.map((e) => share(e, this.ekman.get(e) ?? 0, this.rows)) : [],
      sentiment: this.rows ? SENTIMENTS.map((s) => share(s, this.sentiment.get(s) ?? 0, this.rows)) : [],
      valence: scale(this.valence, this.valenceQ),
      arousal: scale(this.arousal, this.arousalQ),
    };
  }
}

function share(label: string, count: number, n: number): Share {
  return { label, count, share: count / n, ci: wilson(count, n) };
}

function scale(m: Moments, q: BinnedQuantiles): ScaleSummary | null {
  if (m.n === 0) return null;
  const [p05, p25, p50, p75, p95] = QUANTILES.map((x) => q.quantile(x));
  return {
    mean: m.mean,
    sd: m.n > 1 ? Math.sqrt(m.variance) : null,
    ci: meanInterval(m),
    quantiles: { p05, p25, p50, p75, p95 },
  };
}

/** Keeps the k highest-scoring examples (ties: the earlier row wins); k is small, so a sorted array suffices. */
class TopK {
  items: Example[] = [];
  constructor(private readonly k: number) {}
  offer(e: Example): void {
    if (this.items.length === this.k && e.score <= this.items[this.k - 1].score) return;
    this.items.push(e);
    this.items.sort((x, y) => y.score - x.score || x.row - y.row);
    if (this.items.length > this.k) this.items.pop();
  }
}

export class CorpusAggregator {
  private readonly overall = new ScopeAccumulator();
  private readonly groups = new Map<string, ScopeAccumulator>();
  private readonly buckets = new Map<string, ScopeAccumulator>();
  private groupsOverflow = 0;
  private bucketsOverflow = 0;
  private readonly examples = new Map<string, TopK>();
  private readonly opts: AggregateOptions;

  constructor(opts: Partial<AggregateOptions> = {}) {
    this.opts = { ...DEFAULT_AGGREGATE_OPTIONS, ...opts };
  }

  get rows(): number {
    return this.overall.rows;
  }

  add(r: RowFacts): void {
    this.overall.add(r);
    if (r.group !== undefined) this.groupsOverflow += addScoped(this.groups, r.group, r, this.opts.maxGroups);
    if (r.bucket !== undefined) this.bucketsOverflow += addScoped(this.buckets, r.bucket, r, this.opts.maxBuckets);
    for (const d of r.detected) {
      const key = `${r.taxonomy}\u0000${d.label}`;
      let top = this.examples.get(key);
      if (!top) this.examples.set(key, (top = new TopK(this.opts.examplesPerLabel)));
      top.offer({ row: r.row, score: d.score, excerpt: r.excerpt });
    }
  }

  summary(): CorpusSummary {
    const groups = [...this.groups]
      .map(([group, acc]) => ({ group, acc }))
      .sort((x, y) => y.acc.rows - x.acc.rows || x.group.localeCompare(y.group));
    const compared = groups.slice(0, this.opts.comparedGroups);
    const differences: GroupDifference[] = [];
    for (let i = 0; i < compared.length; i++) {
      for (let j = i + 1; j < compared.length; j++)
        differences.push(difference(compared[i].group, compared[i].acc, compared[j].group, compared[j].acc));
    }
    const overall = this.overall.summary();
    const major: Array<{ taxonomy: Taxonomy; label: string; count: number }> = [];
    for (const t of TAXONOMIES)
      for (const s of overall.labels[t] ?? []) major.push({ taxonomy: t, label: s.label, count: s.count });
    major.sort((x, y) => y.count - x.count || x.label.localeCompare(y.label));
    return {
      overall,
      groups: groups.map(({ group, acc }) => ({ group, ...acc.summary() })),
      groups_overflow_rows: this.groupsOverflow,
      group_differences: differences,
      time: [...this.buckets]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([bucket, acc]) => ({ bucket, ...acc.summary() })),
      buckets_overflow_rows: this.bucketsOverflow,
      examples: major.slice(0, this.opts.majorLabels).map((m) => ({
        taxonomy: m.taxonomy,
        label: m.label,
        rows: this.examples.get(`${m.taxonomy}\u0000${m.label}`)?.items ?? [],
      })),
    };
  }
}

/** Adds r to the accumulator of `key`; returns 1 when the key is new and the map is full (row not tracked). */
function addScoped(map: Map<string, ScopeAccumulator>, key: string, r: RowFacts, max: number): number {
  let acc = map.get(key);
  if (!acc) {
    if (map.size >= max) return 1;
    map.set(key, (acc = new ScopeAccumulator()));
  }
  acc.add(r);
  return 0;
}

function difference(a: string, A: ScopeAccumulator, b: string, B: ScopeAccumulator): GroupDifference {
  const shareDiff = (s: Sentiment) => {
    const k1 = A.sentiment.get(s) ?? 0;
    const k2 = B.sentiment.get(s) ?? 0;
    return { diff: k1 / A.rows - k2 / B.rows, ci: newcombeDiff(k1, A.rows, k2, B.rows) };
  };
  const meanDiff = (x: Moments, y: Moments) => {
    const w = welchDiff(x, y);
    return w ? { diff: w.diff, ci: w.ci } : null;
  };
  return {
    a,
    b,
    valence: meanDiff(A.valence, B.valence),
    arousal: meanDiff(A.arousal, B.arousal),
    positive: shareDiff('positive'),
    negative: shareDiff('negative'),
  };
}
