// The self-contained HTML report of analyze_corpus: one file, no scripts, no external resources (a CSP meta tag
// forbids any fetch), inline SVG charts and plain tables. Every value from the data (labels, group names, excerpts)
// is HTML-escaped. Each chart is a <figure data-chart="…"> whose marks carry a class (bar, point), so a browser
// test can count them.
import {
  TAXONOMIES,
  type CorpusSummary,
  type ScaleSummary,
  type ScopeSummary,
  type Share,
  type Taxonomy,
} from '../../analysis/corpus/aggregate.js';

const TAXONOMY_NAMES: Record<Taxonomy, string> = { goemotions: 'GoEmotions', kote: 'KOTE', cped: 'CPED' };
import type { Interval } from '../../analysis/corpus/stats.js';

export interface ReportData {
  file: string;
  generatedAt: string;
  complete: boolean;
  /** Why the run stopped early (cancelled, row limit), when it did. */
  stopReason: string | null;
  model: { id: string; version: string; sha256: string };
  thresholds: { kind: 'per-label'; values: Record<string, Record<string, number>> } | { kind: 'single'; value: number };
  settings: Record<string, string | number | boolean | null>;
  counts: {
    rows_read: number;
    rows_analysed: number;
    rows_cached: number;
    skipped: Record<string, number>;
    blank_lines: number;
  };
  malformed: Array<{ row: number; line: number; reason: string }>;
  summary: CorpusSummary;
}

/** Most labels / groups drawn in a chart (tables list them all). */
export const CHART_MAX_LABELS = 15;
export const CHART_MAX_GROUPS = 20;

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const ci = (c: Interval | null) => (c ? `[${f3(c[0])}, ${f3(c[1])}]` : '–');
const ciPct = (c: Interval) => `${(100 * c[0]).toFixed(1)}–${(100 * c[1]).toFixed(1)} %`;

const COLOURS = {
  bar: '#4e79a7',
  ci: '#1f2d3d',
  pos: '#59a14f',
  neg: '#e15759',
  line: '#f28e2b',
  band: '#f28e2b33',
  axis: '#888',
};

// ---------------------------------------------------------------- charts

/** Horizontal bars of shares with their 95 % intervals as whiskers. */
export function shareBarsSvg(shares: readonly Share[], title: string): string {
  const rows = shares.slice(0, CHART_MAX_LABELS);
  const left = 170,
    width = 640,
    rowH = 20,
    top = 24;
  const height = top + rows.length * rowH + 24;
  const max = Math.max(0.05, ...rows.map((s) => s.ci[1]));
  const x = (v: number) => left + (v / max) * (width - left - 60);
  const marks = rows.map((s, i) => {
    const y = top + i * rowH;
    return [
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end" class="lbl">${escapeHtml(s.label)}</text>`,
      `<rect class="bar" x="${left}" y="${y + 3}" width="${Math.max(0, x(s.share) - left).toFixed(1)}" ` +
        `height="${rowH - 6}" fill="${COLOURS.bar}"><title>${escapeHtml(s.label)}: ${pct(s.share)} (95 % CI ` +
        `${ciPct(s.ci)}, n=${s.count})</title></rect>`,
      `<line class="ci" x1="${x(s.ci[0]).toFixed(1)}" x2="${x(s.ci[1]).toFixed(1)}" y1="${y + rowH / 2}" ` +
        `y2="${y + rowH / 2}" stroke="${COLOURS.ci}" stroke-width="1.5"/>`,
      `<text x="${(x(s.ci[1]) + 4).toFixed(1)}" y="${y + 14}" class="val">${pct(s.share)}</text>`,
    ].join('');
  });
  return svg(width, height, title, [
    `<text x="${left}" y="14" class="ttl">${escapeHtml(title)}</text>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - 20}" stroke="${COLOURS.axis}"/>`,
    ...marks,
  ]);
}

/** Mean valence per time bucket: line, points, and the 95 % interval as a band. */
export function valenceOverTimeSvg(points: ReadonlyArray<{ bucket: string; valence: ScaleSummary | null }>): string {
  const pts = points.filter((p) => p.valence !== null) as Array<{ bucket: string; valence: ScaleSummary }>;
  const width = 640,
    height = 240,
    left = 48,
    right = 16,
    top = 24,
    bottom = 44;
  // The y range fits the data (with a margin) rather than −1..1, so month-to-month changes stay visible.
  const dataLo = Math.min(...pts.map((p) => p.valence.ci?.[0] ?? p.valence.mean));
  const dataHi = Math.max(...pts.map((p) => p.valence.ci?.[1] ?? p.valence.mean));
  const pad = Math.max(0.05, (dataHi - dataLo) * 0.1);
  const lo = Math.max(-1, dataLo - pad);
  const hi = Math.min(1, dataHi + pad);
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * (height - top - bottom);
  const x = (i: number) =>
    pts.length === 1 ? (left + width - right) / 2 : left + (i / (pts.length - 1)) * (width - left - right);
  const point = (i: number, v: number) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  const band =
    pts.length > 1
      ? `<path class="band" d="M${pts.map((p, i) => point(i, p.valence.ci?.[1] ?? p.valence.mean)).join('L')}L${pts
          .map((p, i) => ({ p, i }))
          .reverse()
          .map(({ p, i }) => point(i, p.valence.ci?.[0] ?? p.valence.mean))
          .join('L')}Z" fill="${COLOURS.band}"/>`
      : '';
  const line =
    pts.length > 1
      ? `<path class="line" ` +
        `d="M${pts.map((p, i) => `${x(i).toFixed(1)},${y(p.valence.mean).toFixed(1)}`).join('L')}" ` +
        `fill="none" stroke="${COLOURS.line}" stroke-width="2"/>`
      : '';
  const every = Math.max(1, Math.ceil(pts.length / 8));
  const anchor = (i: number) =>
    pts.length > 1 && i === pts.length - 1 ? 'end' : i === 0 && pts.length > 1 ? 'start' : 'middle';
  const ticks = pts.map((p, i) =>
    i % every === 0 || i === pts.length - 1
      ? `<text x="${x(i).toFixed(1)}" y="${height - bottom + 16}" ` +
        `text-anchor="${anchor(i)}" class="lbl">${escapeHtml(p.bucket)}</text>`
      : '',
  );
  const dots = pts.map(
    (p, i) =>
      `<circle class="point" cx="${x(i).toFixed(1)}" cy="${y(p.valence.mean).toFixed(1)}" r="3.5" ` +
      `fill="${COLOURS.line}"><title>${escapeHtml(p.bucket)}: mean valence ${f3(p.valence.mean)} (95 % CI ` +
      `${ci(p.valence.ci)})</title></circle>`,
  );
  return svg(width, height, 'Mean valence over time', [
    `<text x="${left}" y="14" class="ttl">Mean valence over time (95 % CI band)</text>`,
    lo < 0 && hi > 0
      ? `<line x1="${left}" x2="${width - right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" ` +
        `stroke="${COLOURS.axis}" stroke-dasharray="3 3"/><text x="${left - 4}" y="${(y(0) + 4).toFixed(1)}" ` +
        `text-anchor="end" class="lbl">0</text>`
      : '',
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="${COLOURS.axis}"/>`,
    `<text x="${left - 4}" y="${(y(hi) + 4).toFixed(1)}" text-anchor="end" class="lbl">${hi.toFixed(2)}</text>`,
    `<text x="${left - 4}" y="${(y(lo) + 4).toFixed(1)}" text-anchor="end" class="lbl">${lo.toFixed(2)}</text>`,
    band,
    line,
    ...dots,
    ...ticks,
  ]);
}

/** Mean valence per group as bars from 0 (green above, red below) with 95 % interval whiskers. */
export function groupComparisonSvg(
  groups: ReadonlyArray<{ group: string; rows: number; valence: ScaleSummary | null }>,
): string {
  const rows = groups.filter((g) => g.valence !== null).slice(0, CHART_MAX_GROUPS) as Array<{
    group: string;
    rows: number;
    valence: ScaleSummary;
  }>;
  const left = 170,
    width = 640,
    rowH = 22,
    top = 24,
    right = 60;
  const height = top + rows.length * rowH + 24;
  const lo = Math.min(-0.1, ...rows.map((g) => g.valence.ci?.[0] ?? g.valence.mean));
  const hi = Math.max(0.1, ...rows.map((g) => g.valence.ci?.[1] ?? g.valence.mean));
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (width - left - right);
  const marks = rows.map((g, i) => {
    const y = top + i * rowH;
    const m = g.valence.mean;
    const [a, b] = m >= 0 ? [x(0), x(m)] : [x(m), x(0)];
    const c = g.valence.ci;
    return [
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end" class="lbl">${escapeHtml(truncate(g.group, 24))} (n=${g.rows})</text>`,
      `<rect class="bar" x="${a.toFixed(1)}" y="${y + 4}" width="${Math.max(1, b - a).toFixed(1)}" ` +
        `height="${rowH - 8}" fill="${m >= 0 ? COLOURS.pos : COLOURS.neg}"><title>${escapeHtml(g.group)}: ` +
        `mean valence ${f3(m)} (95 % CI ${ci(c)}, n=${g.rows})</title></rect>`,
      c
        ? `<line class="ci" x1="${x(c[0]).toFixed(1)}" x2="${x(c[1]).toFixed(1)}" y1="${y + rowH / 2}" ` +
          `y2="${y + rowH / 2}" stroke="${COLOURS.ci}" stroke-width="1.5"/>`
        : '',
      `<text x="${(Math.max(b, c ? x(c[1]) : b) + 4).toFixed(1)}" y="${y + 15}" class="val">${f3(m)}</text>`,
    ].join('');
  });
  return svg(width, height, 'Mean valence per group', [
    `<text x="${left}" y="14" class="ttl">Mean valence per group (95 % CI)</text>`,
    `<line x1="${x(0).toFixed(1)}" x2="${x(0).toFixed(1)}" y1="${top}" y2="${height - 20}" stroke="${COLOURS.axis}"/>`,
    ...marks,
  ]);
}

function svg(width: number, height: number, label: string, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(label)}" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body.join('')}</svg>`
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// ---------------------------------------------------------------- tables

function table(head: string[], rows: string[][]): string {
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function shareRows(shares: readonly Share[]): string[][] {
  return shares.map((s) => [escapeHtml(s.label), String(s.count), pct(s.share), ciPct(s.ci)]);
}

function scaleRow(name: string, s: ScaleSummary | null): string[] {
  if (!s) return [name, '–', '–', '–', '–', '–', '–', '–', '–'];
  const q = s.quantiles;
  return [
    name,
    f3(s.mean),
    s.sd === null ? '–' : f3(s.sd),
    ci(s.ci),
    f3(q.p05),
    f3(q.p25),
    f3(q.p50),
    f3(q.p75),
    f3(q.p95),
  ];
}

function scopeCells(s: ScopeSummary): string[] {
  const sent = (k: string) => {
    const x = s.sentiment.find((v) => v.label === k);
    return x ? pct(x.share) : '–';
  };
  const topEkman = [...s.ekman].sort((a, b) => b.count - a.count)[0];
  return [
    String(s.rows),
    s.valence ? `${f3(s.valence.mean)} ${ci(s.valence.ci)}` : '–',
    s.arousal ? f3(s.arousal.mean) : '–',
    sent('positive'),
    sent('negative'),
    topEkman ? `${topEkman.label} ${pct(topEkman.share)}` : '–',
  ];
}

// ---------------------------------------------------------------- page

const CSS =
  `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:980px;color:#222;background:#fff;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.warn{background:#fff4e5;border:1px solid #f0b26b;padding:8px 12px;border-radius:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}figure{margin:12px 0}svg .lbl{font-size:11px;fill:#333}` +
  `svg .val{font-size:11px;fill:#555}svg .ttl{font-size:12px;font-weight:600;fill:#222}
.empty{color:#777;font-style:italic}`;

export function renderReport(d: ReportData): string {
  const s = d.summary;
  const o = s.overall;
  const taxonomies = TAXONOMIES.filter((t) => o.labels[t]);
  const sections: string[] = [];

  sections.push(`<h1>Emotion report: ${escapeHtml(basename(d.file))}</h1>`);
  sections.push(
    `<p class="meta">${escapeHtml(d.file)} · generated ${escapeHtml(d.generatedAt)} · model ` +
      `${escapeHtml(d.model.id)} ${escapeHtml(d.model.version)} (sha256 ${escapeHtml(d.model.sha256)})</p>`,
  );
  if (!d.complete)
    sections.push(
      `<p class="warn">Partial result: ${escapeHtml(d.stopReason ?? 'the run stopped early')}. The numbers ` +
        `cover the rows analysed so far.</p>`,
    );

  sections.push('<h2>Rows</h2>');
  const skipped = Object.entries(d.counts.skipped).filter(([, n]) => n > 0);
  sections.push(
    table(
      ['rows read', 'analysed', 'from cache', 'skipped', 'blank lines'],
      [
        [
          String(d.counts.rows_read),
          String(d.counts.rows_analysed),
          String(d.counts.rows_cached),
          skipped.length ? skipped.map(([k, n]) => `${escapeHtml(k)}: ${n}`).join(', ') : '0',
          String(d.counts.blank_lines),
        ],
      ],
    ),
  );
  sections.push(
    table(
      ['language', 'rows'],
      Object.entries(o.languages).map(([k, n]) => [k, String(n)]),
    ),
  );
  if (d.malformed.length)
    sections.push(
      `<p>First malformed rows:</p>${table(
        ['row', 'line', 'reason'],
        d.malformed.map((m) => [String(m.row), String(m.line), escapeHtml(m.reason)]),
      )}`,
    );

  sections.push(
    '<h2>Label distribution</h2><p>Share of analysed rows in which each label reaches its threshold ' +
      '(rows may carry several labels); 95 % Wilson score intervals.</p>',
  );
  for (const t of taxonomies) {
    const shares = o.labels[t] as Share[];
    const shown = Math.min(CHART_MAX_LABELS, shares.length);
    sections.push(
      `<figure data-chart="labels-${t}" data-marks="${shown}">` +
        (shares.length
          ? shareBarsSvg(shares, `${TAXONOMY_NAMES[t]} labels (top ${shown})`)
          : '<p class="empty">no label reached its threshold</p>') +
        '</figure>',
    );
    sections.push(
      `<details><summary>All ${shares.length} ${t} ` +
        `labels</summary>${table(['label', 'rows', 'share', '95 % CI'], shareRows(shares))}</details>`,
    );
  }
  sections.push(
    `<figure data-chart="ekman" data-marks="${o.ekman.length}">` +
      (o.ekman.length ? shareBarsSvg(o.ekman, 'Dominant Ekman class') : '<p class="empty">no rows</p>') +
      '</figure>',
  );
  sections.push(table(['Ekman class', 'rows', 'share', '95 % CI'], shareRows(o.ekman)));
  sections.push(table(['sentiment', 'rows', 'share', '95 % CI'], shareRows(o.sentiment)));

  sections.push(
    '<h2>Valence and arousal</h2><p>Valence −1..1, arousal 0..1; mean with a 95 % Student t interval; ' +
      'quantiles within 0.0005 (histogram bins of 0.001).</p>',
  );
  sections.push(
    table(
      ['', 'mean', 'sd', '95 % CI', 'p05', 'p25', 'median', 'p75', 'p95'],
      [scaleRow('valence', o.valence), scaleRow('arousal', o.arousal)],
    ),
  );

  sections.push('<h2>Over time</h2>');
  if (s.time.length) {
    const n = s.time.filter((b) => b.valence !== null).length;
    sections.push(`<figure data-chart="valence-time" data-marks="${n}">${valenceOverTimeSvg(s.time)}</figure>`);
    sections.push(
      table(
        ['bucket', 'rows', 'mean valence [95 % CI]', 'mean arousal', 'positive', 'negative', 'top Ekman'],
        s.time.map((b) => [escapeHtml(b.bucket), ...scopeCells(b)]),
      ),
    );
    if (s.buckets_overflow_rows)
      sections.push(
        `<p class="warn">${s.buckets_overflow_rows} rows fell in buckets past the bucket limit and are only in the totals.</p>`,
      );
  } else sections.push('<p class="empty">No time field was given (or no time value could be read).</p>');

  sections.push('<h2>Groups</h2>');
  if (s.groups.length) {
    const n = Math.min(CHART_MAX_GROUPS, s.groups.filter((g) => g.valence !== null).length);
    sections.push(`<figure data-chart="groups" data-marks="${n}">${groupComparisonSvg(s.groups)}</figure>`);
    sections.push(
      table(
        ['group', 'rows', 'mean valence [95 % CI]', 'mean arousal', 'positive', 'negative', 'top Ekman'],
        s.groups.map((g) => [escapeHtml(g.group), ...scopeCells(g)]),
      ),
    );
    if (s.group_differences.length) {
      sections.push(
        '<p>Differences between the largest groups (a − b): means with Welch 95 % intervals, shares with ' +
          'Newcombe 95 % hybrid score intervals.</p>',
      );
      sections.push(
        table(
          ['a', 'b', 'Δ valence', 'Δ arousal', 'Δ positive', 'Δ negative'],
          s.group_differences.map((g) => [
            escapeHtml(g.a),
            escapeHtml(g.b),
            g.valence ? `${f3(g.valence.diff)} ${ci(g.valence.ci)}` : '–',
            g.arousal ? `${f3(g.arousal.diff)} ${ci(g.arousal.ci)}` : '–',
            `${f3(g.positive.diff)} ${ci(g.positive.ci)}`,
            `${f3(g.negative.diff)} ${ci(g.negative.ci)}`,
          ]),
        ),
      );
    }
    if (s.groups_overflow_rows)
      sections.push(
        `<p class="warn">${s.groups_overflow_rows} rows belong to groups past the group limit and are only in the totals.</p>`,
      );
  } else sections.push('<p class="empty">No group field was given.</p>');

  sections.push('<h2>Examples</h2><p>Rows with the highest probability for each of the most frequent labels.</p>');
  for (const e of s.examples) {
    sections.push(
      `<h3>${escapeHtml(e.label)} <small>(${e.taxonomy})</small></h3>${table(
        ['row', 'probability', 'excerpt'],
        e.rows.map((r) => [String(r.row), f3(r.score), escapeHtml(r.excerpt)]),
      )}`,
    );
  }

  sections.push('<h2>Model and settings</h2>');
  sections.push(
    table(
      ['setting', 'value'],
      [
        ['model', `${escapeHtml(d.model.id)} ${escapeHtml(d.model.version)} (sha256 ${escapeHtml(d.model.sha256)})`],
        ...Object.entries(d.settings).map(([k, v]) => [escapeHtml(k), escapeHtml(v === null ? '–' : String(v))]),
      ],
    ),
  );
  if (d.thresholds.kind === 'single')
    sections.push(`<p>One decision threshold for every label: ${d.thresholds.value}.</p>`);
  else {
    sections.push("<p>Per-label decision thresholds tuned on dev data (the model's defaults):</p>");
    for (const [tax, values] of Object.entries(d.thresholds.values)) {
      sections.push(
        `<details><summary>${escapeHtml(tax)} thresholds</summary>${table(
          ['label', 'threshold'],
          Object.entries(values).map(([l, v]) => [escapeHtml(l), f3(v)]),
        )}</details>`,
      );
    }
  }

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emotion report: ${escapeHtml(basename(d.file))}</title>
<style>${CSS}</style></head>
<body>
${sections.join('\n')}
</body></html>
`;
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
