// analyze_conversation view: each speaker's smoothed valence and arousal over the turns (one line per speaker),
// the detected shifts as markers, per-speaker summaries, and the influence result (transfer entropy, p-value, SURD
// split) or the reason it is missing. A data table under the charts gives the same numbers to screen readers.
import { byId, el, fmt, startView } from './shared/app.js';

interface Point {
  turn: number;
  valence: number;
  arousal: number;
  ekman_dominant: string;
}
interface Speaker {
  turns: number;
  summary: string;
  dominant: Array<{ emotion: string; mean: number }>;
  trajectory: Point[];
}
interface Shift {
  speaker: string;
  turn: number;
  detected_at: number;
  triggers: Array<{ dimension: string; direction: string }>;
  before: { ekman_dominant: string };
  after: { ekman_dominant: string };
}
interface Follow {
  slope: number | null;
  interval_95: [number, number] | null;
  p_value: number | null;
  test: string;
  reason: string | null;
}
interface Pair {
  from: string;
  to: string;
  samples: number;
  follow?: Follow;
  transfer_entropy?: number;
  p_value?: number;
  surd?: {
    unique_from: number;
    unique_self: number;
    redundant: number;
    synergistic: number;
    mutual_information: number;
  };
}
interface Output {
  turns: Array<{ index: number; speaker: string }>;
  speakers: Record<string, Speaker>;
  shifts: Shift[];
  influence: { pairs: Pair[]; insufficient: Array<{ from: string; to: string; samples: number }> } | null;
  influence_reason: string | null;
}

const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['var(--uni)', 'var(--syn)', 'var(--red)', 'var(--pos)', 'var(--neg)', 'var(--leak)'];

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** One line chart of `dim` over the turn index for every speaker, with the shifts of that dimension marked. */
function chart(o: Output, names: string[], dim: 'valence' | 'arousal'): Node {
  const W = 600,
    H = 180,
    L = 34,
    R = 8,
    T = 8,
    B = 22;
  const [lo, hi] = dim === 'valence' ? [-1, 1] : [0, 1];
  const lastTurn = Math.max(1, ...o.turns.map((t) => t.index));
  const firstTurn = Math.min(...o.turns.map((t) => t.index));
  const x = (turn: number) => L + ((turn - firstTurn) / Math.max(1, lastTurn - firstTurn)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': `${dim}-title` });
  const title = svg('title', { id: `${dim}-title` });
  title.textContent = `${dim} over turns for ${names.join(' and ')}; ${o.shifts.filter((s) => s.triggers.some((t) => t.dimension === dim)).length} ${dim} shifts marked. The data table below has the values.`;
  root.append(title);
  for (const v of dim === 'valence' ? [-1, 0, 1] : [0, 0.5, 1]) {
    root.append(
      svg('line', {
        x1: L,
        x2: W - R,
        y1: y(v),
        y2: y(v),
        stroke: 'var(--line)',
        'stroke-width': v === 0 && dim === 'valence' ? 1.5 : 0.7,
      }),
    );
    const t = svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: 'var(--fg2)' });
    t.textContent = String(v);
    root.append(t);
  }
  const xl = svg('text', { x: W - R, y: H - 4, 'text-anchor': 'end', 'font-size': 11, fill: 'var(--fg2)' });
  xl.textContent = `turn ${firstTurn}…${lastTurn}`;
  root.append(xl);
  names.forEach((name, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = o.speakers[name].trajectory;
    root.append(
      svg('polyline', {
        points: pts.map((p) => `${x(p.turn).toFixed(1)},${y(p[dim]).toFixed(1)}`).join(' '),
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
      }),
    );
    for (const p of pts) {
      const c = svg('circle', {
        cx: x(p.turn).toFixed(1),
        cy: y(p[dim]).toFixed(1),
        r: 3,
        fill: color,
        'data-mark': 'point',
      });
      const tt = svg('title', {});
      tt.textContent = `${name}, turn ${p.turn}: ${dim} ${fmt(p[dim])} (${p.ekman_dominant})`;
      c.append(tt);
      root.append(c);
    }
    for (const s of o.shifts.filter((s) => s.speaker === name && s.triggers.some((t) => t.dimension === dim))) {
      const m = svg('line', {
        x1: x(s.turn),
        x2: x(s.turn),
        y1: T,
        y2: H - B,
        stroke: color,
        'stroke-width': 1.5,
        'stroke-dasharray': '4 3',
        'data-mark': 'shift',
      });
      const tt = svg('title', {});
      tt.textContent = `${name}: ${dim} shift at turn ${s.turn} (detected at ${s.detected_at}), ${s.before.ekman_dominant} → ${s.after.ekman_dominant}`;
      m.append(tt);
      root.append(m);
    }
  });
  return el('figure', { class: 'chart' }, root);
}

function legend(names: string[]): Node {
  return el(
    'p',
    { class: 'small legend' },
    ...names.map((n, i) =>
      el('span', {}, el('i', { class: 'swatch', style: `background:${COLORS[i % COLORS.length]}` }), ` ${n} `),
    ),
    el('span', { class: 'muted' }, '· dashed line = shift'),
  );
}

function dataTable(o: Output, names: string[]): Node {
  const rows = names
    .flatMap((n) => o.speakers[n].trajectory.map((p) => ({ n, p })))
    .sort((a, b) => a.p.turn - b.p.turn);
  return el(
    'details',
    {},
    el('summary', {}, 'Data table'),
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el('tr', {}, ...['turn', 'speaker', 'valence', 'arousal', 'Ekman'].map((h) => el('th', { scope: 'col' }, h))),
        ),
        el(
          'tbody',
          {},
          ...rows.map(({ n, p }) =>
            el(
              'tr',
              {},
              el('td', {}, String(p.turn)),
              el('th', { scope: 'row' }, n),
              el('td', {}, fmt(p.valence)),
              el('td', {}, fmt(p.arousal)),
              el('td', {}, p.ekman_dominant),
            ),
          ),
        ),
      ),
    ),
  );
}

function influence(o: Output): Node {
  if (!o.influence) return el('p', { class: 'muted' }, `No influence result: ${o.influence_reason ?? 'not computed'}.`);
  const head = [
    'from → to',
    'follow slope [95 %]',
    'p (slope)',
    'transfer entropy (bits)',
    'p',
    'pairs',
    'unique from',
    'redundant',
    'synergistic',
  ];
  // transfer entropy and SURD come from 20 pairs on; the follow slope from 6
  const num = (x: number | undefined | null, d: number) => (x === undefined || x === null ? '—' : fmt(x, d));
  const slope = (f: Follow | undefined) =>
    !f || f.slope === null || !f.interval_95
      ? '—'
      : `${fmt(f.slope, 2)} [${fmt(f.interval_95[0], 2)}, ${fmt(f.interval_95[1], 2)}]`;
  return el(
    'div',
    {},
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
        el(
          'tbody',
          {},
          ...o.influence.pairs.map((p) =>
            el(
              'tr',
              { 'data-mark': 'influence' },
              el('th', { scope: 'row' }, `${p.from} → ${p.to}`),
              el('td', {}, slope(p.follow)),
              el('td', {}, num(p.follow?.p_value, 3)),
              el('td', {}, num(p.transfer_entropy, 4)),
              el('td', {}, num(p.p_value, 3)),
              el('td', {}, String(p.samples)),
              el('td', {}, num(p.surd?.unique_from, 4)),
              el('td', {}, num(p.surd?.redundant, 4)),
              el('td', {}, num(p.surd?.synergistic, 4)),
            ),
          ),
        ),
      ),
    ),
    el(
      'p',
      { class: 'small muted' },
      "Lag-1: the slope of the reply's valence bin on the other speaker's previous bin (exact or permutation p, from 6 pairs); from 20 pairs also transfer entropy (permutation p) and its SURD split.",
    ),
    o.influence.insufficient.length
      ? el(
          'p',
          { class: 'small muted' },
          `Too few pairs: ${o.influence.insufficient.map((i) => `${i.from} → ${i.to} (${i.samples})`).join(', ')}.`,
        )
      : null,
  );
}

startView<Output>('analyze_conversation', {
  render(o) {
    const names = Object.keys(o.speakers);
    byId('root').replaceChildren(
      el(
        'section',
        { class: 'card', 'aria-label': 'conversation' },
        el('h1', {}, `Conversation: ${o.turns.length} turns, ${names.length} speakers`),
        legend(names),
        el('h2', {}, 'Valence (smoothed)'),
        chart(o, names, 'valence'),
        el('h2', {}, 'Arousal (smoothed)'),
        chart(o, names, 'arousal'),
        dataTable(o, names),
        el('h2', {}, 'Speakers'),
        el('ul', { class: 'small' }, ...names.map((n) => el('li', {}, o.speakers[n].summary))),
        el('h2', {}, 'Influence'),
        influence(o),
      ),
    );
  },
});
