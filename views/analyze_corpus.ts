// analyze_corpus view: the dashboard of the corpus report. Distribution (dominant Ekman class and sentiment shares
// with their 95 % intervals, valence and arousal quantiles), the time series (valence mean per bucket with its
// interval and the row counts) and the groups (valence mean per group, differences between the largest groups).
import { byId, el, fmt, pct, startView } from './shared/app.js';

interface Share {
  label: string;
  count: number;
  share: number;
  ci: [number, number];
}
interface Scale {
  mean: number;
  ci: [number, number] | null;
  quantiles: { p05: number; p25: number; p50: number; p75: number; p95: number };
}
interface Scope {
  rows: number;
  ekman: Share[];
  sentiment: Share[];
  valence: Scale | null;
  arousal: Scale | null;
}
interface Diff {
  diff: number;
  ci: [number, number];
}
interface Output {
  file: string;
  complete: boolean;
  stop_reason: string | null;
  rows: { read: number; analysed: number; skipped: { malformed: number; empty_text: number; text_too_long: number } };
  summary: {
    overall: Scope;
    groups: Array<Scope & { group: string }>;
    groups_overflow_rows: number;
    group_differences: Array<{ a: string; b: string; valence: Diff | null }>;
    time: Array<Scope & { bucket: string }>;
  };
  files?: { report_html: string };
}

/** Share bars with the 95 % interval drawn as a whisker over the bar. */
function shareBars(shares: Share[]): Node {
  return el(
    'div',
    { class: 'bars' },
    ...shares.flatMap((s) => {
      const track = el(
        'div',
        { class: 'bar-track ci-track', 'aria-hidden': 'true' },
        el('div', { class: 'bar', 'data-mark': 'share', style: `width:${(s.share * 100).toFixed(2)}%` }),
        el('div', {
          class: 'whisker',
          style: `left:${(s.ci[0] * 100).toFixed(2)}%;width:${((s.ci[1] - s.ci[0]) * 100).toFixed(2)}%`,
        }),
      );
      return [
        el('span', {}, s.label),
        track,
        el(
          'span',
          { class: 'num', title: `95 % interval ${pct(s.ci[0])} – ${pct(s.ci[1])}` },
          `${pct(s.share)} (${s.count})`,
        ),
      ];
    }),
  );
}

/** Mean with interval on a fixed axis [lo, hi], one row per item: a dot and a whisker. */
function meanRows(
  items: Array<{ name: string; rows: number; scale: Scale | null }>,
  lo: number,
  hi: number,
  mark: string,
): Node {
  const pos = (v: number) => `${(((v - lo) / (hi - lo)) * 100).toFixed(2)}%`;
  return el(
    'div',
    { class: 'bars' },
    ...items.flatMap(({ name, rows, scale }) => {
      if (!scale) return [el('span', {}, name), el('span', { class: 'muted small' }, 'no rows'), el('span', {}, '')];
      const track = el(
        'div',
        { class: 'bar-track ci-track axis', 'aria-hidden': 'true' },
        lo < 0 ? el('div', { class: 'zero', style: `left:${pos(0)}` }) : null,
        scale.ci
          ? el('div', {
              class: 'whisker',
              style: `left:${pos(scale.ci[0])};width:calc(${pos(scale.ci[1])} - ${pos(scale.ci[0])})`,
            })
          : null,
        el('div', { class: 'dot', 'data-mark': mark, style: `left:${pos(scale.mean)}` }),
      );
      const ci = scale.ci ? ` [${fmt(scale.ci[0])}, ${fmt(scale.ci[1])}]` : '';
      return [el('span', {}, `${name} (n=${rows})`), track, el('span', { class: 'num' }, `${fmt(scale.mean)}${ci}`)];
    }),
  );
}

function quantiles(name: string, s: Scale | null): Node | null {
  if (!s) return null;
  const q = s.quantiles;
  return el(
    'p',
    { class: 'small' },
    `${name}: mean ${fmt(s.mean)}${s.ci ? ` (95 % ${fmt(s.ci[0])} to ${fmt(s.ci[1])})` : ''}; median ${fmt(q.p50)}, middle half ${fmt(q.p25)} to ${fmt(q.p75)}, 90 % of rows ${fmt(q.p05)} to ${fmt(q.p95)}`,
  );
}

startView<Output>('analyze_corpus', {
  render(o) {
    const s = o.summary;
    const skipped = o.rows.skipped.malformed + o.rows.skipped.empty_text + o.rows.skipped.text_too_long;
    const diffs = s.group_differences.filter((d) => d.valence);
    byId('root').replaceChildren(
      el(
        'section',
        { class: 'card', 'aria-label': 'corpus' },
        el('h1', {}, `Corpus: ${o.file.split(/[\\/]/).pop() ?? o.file}`),
        el(
          'p',
          { class: 'small muted' },
          `${o.rows.analysed} of ${o.rows.read} rows analysed${skipped ? `, ${skipped} skipped` : ''}${o.complete ? '' : ` — incomplete: ${o.stop_reason ?? ''}`}`,
        ),
        el('h2', {}, 'Dominant Ekman class (share of rows, 95 % interval)'),
        shareBars(s.overall.ekman),
        el('h2', {}, 'Sentiment'),
        shareBars(s.overall.sentiment),
        quantiles('Valence (−1..1)', s.overall.valence),
        quantiles('Arousal (0..1)', s.overall.arousal),
        s.time.length ? el('h2', {}, 'Valence by time bucket (mean, 95 % interval)') : null,
        s.time.length
          ? meanRows(
              s.time.map((t) => ({ name: t.bucket, rows: t.rows, scale: t.valence })),
              -1,
              1,
              'bucket',
            )
          : null,
        s.groups.length ? el('h2', {}, 'Valence by group (mean, 95 % interval)') : null,
        s.groups.length
          ? meanRows(
              s.groups.map((g) => ({ name: g.group, rows: g.rows, scale: g.valence })),
              -1,
              1,
              'group',
            )
          : null,
        s.groups_overflow_rows
          ? el('p', { class: 'small muted' }, `${s.groups_overflow_rows} rows in further groups not listed`)
          : null,
        diffs.length
          ? el(
              'div',
              { class: 'scroll' },
              el(
                'table',
                {},
                el('caption', {}, 'Valence differences between the largest groups (a − b, 95 % interval)'),
                el(
                  'thead',
                  {},
                  el('tr', {}, ...['a − b', 'difference', 'interval'].map((h) => el('th', { scope: 'col' }, h))),
                ),
                el(
                  'tbody',
                  {},
                  ...diffs.map((d) =>
                    el(
                      'tr',
                      { 'data-mark': 'difference' },
                      el('th', { scope: 'row' }, `${d.a} − ${d.b}`),
                      el('td', {}, fmt(d.valence!.diff)),
                      el('td', {}, `${fmt(d.valence!.ci[0])} to ${fmt(d.valence!.ci[1])}`),
                    ),
                  ),
                ),
              ),
            )
          : null,
        o.files ? el('p', { class: 'small muted' }, `Full report: ${o.files.report_html}`) : null,
      ),
    );
  },
});
