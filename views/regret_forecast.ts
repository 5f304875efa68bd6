// regret_forecast view: the utility and regret matrices as heatmaps, the recommendation of each criterion, and a
// probability control that calls regret_forecast again through the host (tools/call) and shows, from the
// result's sensitivity block, where the choice flips.
import type { App } from '@modelcontextprotocol/ext-apps';
import { byId, el, fmt, startView, textOf } from './shared/app.js';

interface Interval {
  from: number;
  to: number;
  winners: string[];
}
interface Criterion {
  choice: string[];
  threshold: number | null;
  rivals: string[];
  move: { to: string; from: Array<{ scenario: string; amount: number }> } | null;
  two_scenario?: { scenario: string; intervals: Interval[]; below: number | null; above: number | null };
}
interface Output {
  mode: string;
  options?: string[];
  scenarios?: Array<{ name: string; probability: number }>;
  utilities?: number[][];
  regret?: number[][];
  per_option?: Array<{ name: string; expected_utility: number; expected_regret: number; regret_averse_value: number }>;
  recommendations?: Record<string, string[]>;
  sensitivity?: {
    probability: { max_expected_utility: Criterion; regret_averse: Criterion };
    fragile?: { value: boolean };
  };
  anticipated_regret?: { value: number; confidence: number };
  parameters: {
    regret_aversion: number;
    regret_aversion_mode: string;
    hurwicz_alpha: number;
    probability_concentration?: number;
  };
  explanation: string;
}

const CRITERIA: Record<string, string> = {
  regret_averse: 'regret-averse value',
  max_expected_utility: 'max expected utility',
  minimax_regret: 'minimax regret',
  maximin: 'maximin (worst case)',
  maximax: 'maximax (best case)',
  hurwicz: 'Hurwicz',
};

function optionNames(o: Output): string[] {
  return o.options ?? o.per_option?.map((p) => p.name) ?? [];
}

/** A heatmap table: colour strength = where the value sits between the matrix's min and max. */
function heatmap(caption: string, m: number[][], rows: string[], cols: string[], hue: 'util' | 'regret'): Node {
  const flat = m.flat();
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const cell = (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0;
    const bg =
      hue === 'regret'
        ? `rgba(218, 54, 51, ${(0.08 + 0.6 * t).toFixed(3)})`
        : `rgba(31, 95, 191, ${(0.08 + 0.6 * t).toFixed(3)})`;
    return el('td', { 'data-mark': 'cell', style: `background:${bg}` }, fmt(v, 4));
  };
  return el(
    'div',
    { class: 'scroll' },
    el(
      'table',
      {},
      el('caption', {}, caption),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, 'option'), ...cols.map((c) => el('th', { scope: 'col' }, c))),
      ),
      el(
        'tbody',
        {},
        ...m.map((row, i) => el('tr', {}, el('th', { scope: 'row' }, rows[i] ?? `#${i + 1}`), ...row.map(cell))),
      ),
    ),
  );
}

function recommendations(o: Output): Node | null {
  if (!o.recommendations) return null;
  return el(
    'dl',
    { class: 'recs' },
    ...Object.entries(o.recommendations).flatMap(([k, names]) => [
      el('dt', {}, CRITERIA[k] ?? k),
      el('dd', { 'data-mark': 'rec' }, names.join(', ') || '—'),
    ]),
  );
}

/** The q-axis of the two-scenario case: one coloured segment per interval, and the current q. */
function flipStrip(c: Criterion, q: number, options: string[]): Node | null {
  const two = c.two_scenario;
  if (!two) return null;
  const palette = ['var(--uni)', 'var(--syn)', 'var(--red)', 'var(--pos)', 'var(--neg)', 'var(--leak)'];
  const colorOf = (w: string[]) =>
    w.length === 1 ? palette[Math.max(0, options.indexOf(w[0])) % palette.length] : 'var(--fg2)';
  const segs = two.intervals.map((iv) =>
    el('div', {
      class: 'seg',
      'data-mark': 'interval',
      title: `${fmt(iv.from)}–${fmt(iv.to)}: ${iv.winners.join(' = ')}`,
      style: `left:${(iv.from * 100).toFixed(3)}%;width:${(Math.max(0.004, iv.to - iv.from) * 100).toFixed(3)}%;background:${colorOf(iv.winners)}`,
    }),
  );
  const marker = el('div', { class: 'marker', style: `left:${(q * 100).toFixed(3)}%` });
  const desc = two.intervals.map((iv) => `${fmt(iv.from)} to ${fmt(iv.to)}: ${iv.winners.join(' = ')}`).join('; ');
  return el(
    'div',
    {},
    el(
      'div',
      { class: 'strip', role: 'img', 'aria-label': `regret-averse choice by P(${two.scenario}): ${desc}` },
      ...segs,
      marker,
    ),
    el(
      'p',
      { class: 'small' },
      `By P(${two.scenario}): ${desc}.`,
      two.below === null && two.above === null
        ? ' The choice does not flip.'
        : ` Nearest flip point${two.below !== null && two.above !== null ? 's' : ''}: ${[two.below === null ? '' : `${fmt(two.below, 4)} (at or below the current value)`, two.above === null ? '' : `${fmt(two.above, 4)} (at or above it)`].filter(Boolean).join(', ')}.`,
    ),
  );
}

function criterionLine(name: string, c: Criterion | undefined): string {
  if (!c) return '';
  const t =
    c.threshold === null
      ? 'no probability change alters it'
      : c.threshold === 0
        ? 'already a tie'
        : `moving ${fmt(c.threshold, 4)} of the probability mass${c.move ? ` to ${c.move.to}` : ''} makes ${c.rivals.join(', ')} tie`;
  return `${name}: ${c.choice.join(' = ')} (${t})`;
}

/** Probabilities with scenario `s` at q and the others scaled to share 1 − q as they did before (equally if they had none). */
export function reweighted(base: number[], s: number, q: number): number[] {
  const rest = base.reduce((acc, p, i) => (i === s ? acc : acc + p), 0);
  const others = base.length - 1;
  const out = base.map((p, i) => (i === s ? q : rest > 0 ? (p / rest) * (1 - q) : (1 - q) / others));
  // Put the rounding remainder on the last other scenario so the sum is 1 to machine precision.
  const last = s === base.length - 1 ? base.length - 2 : base.length - 1;
  out[last] = Math.max(0, 1 - out.reduce((a, p, i) => (i === last ? a : a + p), 0));
  return out;
}

function controlFor(app: App, o: Output, args: Record<string, unknown> | undefined): Node | null {
  const scen = o.scenarios;
  const util = o.utilities;
  if (!scen || scen.length < 2 || !util) return null;
  const options = optionNames(o);
  const base = scen.map((s) => s.probability);
  const callArgs = (probs: number[]): Record<string, unknown> => ({
    ...(args ?? {
      options: options.map((name) => ({ name })),
      outcomes: util,
      regret_aversion: o.parameters.regret_aversion,
      regret_aversion_mode: o.parameters.regret_aversion_mode,
      hurwicz_alpha: o.parameters.hurwicz_alpha,
      ...(o.parameters.probability_concentration === undefined
        ? {}
        : { probability_concentration: o.parameters.probability_concentration }),
    }),
    scenarios: scen.map((s, i) => ({ name: s.name, probability: probs[i] })),
  });

  const select = el(
    'select',
    { id: 'scenario', 'aria-describedby': 'prob-help' },
    ...scen.map((s, i) => el('option', { value: i }, s.name)),
  );
  const slider = el('input', {
    id: 'prob',
    type: 'range',
    min: 0,
    max: 1,
    step: 0.01,
    value: base[0],
  }) as HTMLInputElement;
  const out = el('output', { id: 'prob-value', for: 'prob' }, fmt(base[0], 2));
  const live = el('div', { id: 'choice', role: 'status', 'aria-live': 'polite' });
  const strip = el('div', { id: 'strip' });
  let seq = 0;

  const show = (r: Output, probs: number[]) => {
    const p = r.sensitivity?.probability;
    live.replaceChildren(
      el(
        'p',
        { 'data-testid': 'choice' },
        el('strong', {}, 'regret-averse choice: '),
        (r.recommendations?.regret_averse ?? []).join(' = ') || '—',
      ),
      el('p', { class: 'small' }, criterionLine('max expected utility', p?.max_expected_utility)),
      el('p', { class: 'small' }, criterionLine('regret-averse', p?.regret_averse)),
      r.sensitivity?.fragile?.value
        ? el('p', { class: 'small' }, '⚠ fragile: a small change of the inputs changes the choice')
        : '',
    );
    strip.replaceChildren(p ? (flipStrip(p.regret_averse, probs[0], options) ?? '') : '');
  };

  const update = async () => {
    const s = Number(select.value);
    const q = Number(slider.value);
    out.textContent = fmt(q, 2);
    const probs = reweighted(base, s, q);
    const mine = ++seq;
    live.setAttribute('aria-busy', 'true');
    try {
      const r = await app.callServerTool({ name: 'regret_forecast', arguments: callArgs(probs) });
      if (mine !== seq) return; // a newer request superseded this one
      if (r.isError || !r.structuredContent)
        live.replaceChildren(el('p', { class: 'error', role: 'alert' }, textOf(r)));
      else show(r.structuredContent as unknown as Output, probs);
    } catch (err) {
      if (mine === seq)
        live.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The call failed: ${String(err)}`));
    } finally {
      if (mine === seq) live.removeAttribute('aria-busy');
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  slider.addEventListener('input', () => {
    out.textContent = fmt(Number(slider.value), 2);
    clearTimeout(timer);
    timer = setTimeout(() => void update(), 150);
  });
  select.addEventListener('change', () => {
    slider.value = String(base[Number(select.value)]);
    void update();
  });
  show(o, base);
  return el(
    'div',
    { class: 'control' },
    el('h2', {}, 'What if the probabilities change?'),
    el('div', { class: 'row' }, el('label', { for: 'scenario' }, 'scenario '), select),
    el('div', { class: 'row' }, el('label', { for: 'prob' }, 'probability '), slider, out),
    el(
      'p',
      { id: 'prob-help', class: 'small muted' },
      'The other scenarios keep their relative weights. Each change calls regret_forecast again.',
    ),
    live,
    strip,
  );
}

startView<Output>('regret_forecast', {
  render(o, args, app) {
    const options = optionNames(o);
    const cols = o.scenarios?.map((s) => `${s.name} (p ${fmt(s.probability, 3)})`) ?? [];
    byId('root').replaceChildren(
      el(
        'section',
        { class: 'card', 'aria-label': 'regret forecast' },
        el('h1', {}, 'Decision under regret'),
        o.anticipated_regret
          ? el(
              'p',
              {},
              `anticipated regret ${fmt(o.anticipated_regret.value)} (confidence ${fmt(o.anticipated_regret.confidence)})`,
            )
          : null,
        o.utilities ? heatmap('Utilities (options × scenarios)', o.utilities, options, cols, 'util') : null,
        o.regret
          ? heatmap("Regret = best utility in the scenario − this option's", o.regret, options, cols, 'regret')
          : null,
        o.recommendations ? el('h2', {}, 'Recommendation by criterion') : null,
        recommendations(o),
        controlFor(app, o, args),
        el('details', {}, el('summary', {}, 'Explanation'), el('p', { class: 'small' }, o.explanation)),
      ),
    );
  },
});
