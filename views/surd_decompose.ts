// surd_decompose view: redundant / unique / synergistic components as bars (bits and share of the mutual
// information), the leak, and p-values when the result carries a significance test.
import { barRow, byId, el, fmt, pct, startView } from './shared/app.js';

interface Component {
  sources: string[];
  bits: number;
  normalized: number | null;
  p_value?: number;
}
interface Test {
  observed: number;
  p_value: number;
}
interface Output {
  target: string;
  sources: string[];
  method: string;
  redundant: Component[];
  unique: Component[];
  synergistic: Component[];
  mutual_information: number;
  entropy_target: number;
  leak: number | null;
  leak_reason: string | null;
  n_samples: number | null;
  lag: number | null;
  bins_used: number[];
  warnings: string[];
  significance?: { surrogates: number; mutual_information: Test; leak: Test };
}

const KINDS = [
  ['redundant', 'R', 'var(--red)'],
  ['unique', 'U', 'var(--uni)'],
  ['synergistic', 'S', 'var(--syn)'],
] as const;

const pText = (p: number | undefined) => (p === undefined ? '' : ` · p ${p < 0.001 ? '< 0.001' : fmt(p, 3)}`);

startView<Output>('surd_decompose', {
  render(o) {
    const all = KINDS.flatMap(([kind, tag, color]) => o[kind].map((c) => ({ c, tag, color, kind })));
    const max = Math.max(1e-12, ...all.map((x) => x.c.bits));
    const rows = all.flatMap(({ c, tag, color }) =>
      barRow(
        `${tag} {${c.sources.join(', ')}}`,
        c.bits / max,
        `${fmt(c.bits, 4)} bits${c.normalized === null ? '' : ` (${pct(c.normalized)})`}${pText(c.p_value)}`,
        { color, mark: 'component' },
      ),
    );
    // The whole target entropy as one stacked bar: R + U + S = MI, the rest is the leak.
    const h = o.entropy_target;
    const sum = (k: (typeof KINDS)[number][0]) => o[k].reduce((s, c) => s + c.bits, 0);
    const segs =
      h > 0
        ? [
            ...KINDS.map(([k, tag, color]) => [tag, sum(k) / h, color] as const),
            ['leak', o.leak ?? 0, 'var(--leak)'] as const,
          ]
        : [];
    const stack = el(
      'div',
      { class: 'stack', role: 'img', 'aria-label': segs.map(([t, f]) => `${t} ${pct(f)}`).join(', ') },
      ...segs.map(([t, f, color]) =>
        el('div', {
          'data-mark': 'stack',
          title: `${t} ${pct(f)}`,
          style: `width:${(Math.max(0, f) * 100).toFixed(2)}%;background:${color}`,
        }),
      ),
    );
    const sig = o.significance;
    const where = o.n_samples === null ? 'histogram' : `${o.n_samples} samples, lag ${o.lag}`;
    byId('root').replaceChildren(
      el(
        'section',
        { class: 'card', 'aria-label': 'SURD decomposition' },
        el('h1', {}, `SURD: ${o.target} from ${o.sources.join(', ')}`),
        el('p', { class: 'small muted' }, `${where} · bins ${o.bins_used.join('×')} · ${o.method}`),
        el(
          'p',
          {},
          `mutual information ${fmt(o.mutual_information, 4)} of H = ${fmt(h, 4)} bits${sig ? pText(sig.mutual_information.p_value) : ''}`,
        ),
        h > 0 ? stack : null,
        el(
          'p',
          { class: 'small legend' },
          ...KINDS.map(([k, tag, color]) =>
            el('span', {}, el('i', { class: 'swatch', style: `background:${color}` }), ` ${tag} = ${k} `),
          ),
          el('span', {}, el('i', { class: 'swatch', style: 'background:var(--leak)' }), ' leak'),
        ),
        el(
          'p',
          {},
          o.leak === null
            ? `leak undefined: ${o.leak_reason ?? ''}`
            : `leak ${pct(o.leak)} of the target entropy no source explains${sig ? pText(sig.leak.p_value) : ''}`,
        ),
        el('h2', {}, 'Components (bits; share of the mutual information)'),
        rows.length ? el('div', { class: 'bars' }, ...rows) : el('p', { class: 'muted' }, 'no components'),
        sig
          ? el('p', { class: 'small muted' }, `p-values from ${sig.surrogates} circular-shift surrogates per set`)
          : null,
        o.warnings.length
          ? el('ul', { class: 'small muted', 'aria-label': 'warnings' }, ...o.warnings.map((w) => el('li', {}, w)))
          : null,
      ),
    );
  },
});
