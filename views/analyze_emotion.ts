// analyze_emotion view: per text the top labels, the Ekman-7 profile and valence/arousal; sentences coloured by
// valence (granularity "sentence") and explanation spans highlighted in the text (explain). Each part is drawn only
// when its fields are in the result, so results at every detail level render.
import { barRow, byId, el, fmt, startView, valenceColor } from './shared/app.js';

interface LabelScore {
  label: string;
  score: number;
}
interface Span {
  text: string;
  start: number;
  end: number;
  contribution?: number;
}
interface Sentence extends Span {
  valence: number;
  dominant?: LabelScore;
  ekman?: { dominant: string };
  ekman_dominant?: string;
}
interface Explanation {
  unit: string;
  labels: Array<{ label: string; probability: number; spans: Array<Span & { contribution: number }> }>;
}
interface Result {
  language: string;
  transfer?: string[];
  labels?: LabelScore[];
  dominant?: LabelScore;
  detected?: Array<LabelScore & { rule?: string }>;
  ekman?: { scores: Record<string, number>; dominant: string };
  ekman_dominant?: string;
  sentiment?: { label: string; score: number } | string;
  valence: number;
  arousal: number;
  sentences?: Sentence[];
  explanation?: Explanation;
}
interface Output {
  results: Result[];
  model?: { id: string };
}

function inputTexts(args: Record<string, unknown> | undefined): string[] | undefined {
  if (!args) return undefined;
  if (typeof args.text === 'string') return [args.text];
  if (Array.isArray(args.texts)) return args.texts.filter((t): t is string => typeof t === 'string');
  return undefined;
}

function labelsCard(r: Result): Node {
  const labels = r.labels ?? (r.dominant ? [r.dominant] : []);
  const detected = new Set((r.detected ?? []).map((d) => d.label));
  // a single-label head (Chinese CPED) decides by its most probable label, not by thresholds
  const argmaxRule = (r.detected ?? []).some((d) => d.rule === 'argmax');
  const rows = labels.flatMap((l) =>
    barRow(detected.has(l.label) ? `${l.label} ✓` : l.label, l.score, fmt(l.score), { mark: 'label' }),
  );
  return el(
    'div',
    {},
    el('h2', {}, 'Top labels'),
    el('div', { class: 'bars' }, ...rows),
    detected.size
      ? el(
          'p',
          { class: 'small muted' },
          argmaxRule ? "✓ = the head's decision (its most probable label)" : '✓ = over its decision threshold',
        )
      : null,
  );
}

function ekmanCard(r: Result): Node | null {
  if (!r.ekman) return r.ekman_dominant ? el('p', {}, `Ekman: ${r.ekman_dominant}`) : null;
  const rows = Object.entries(r.ekman.scores).flatMap(([k, v]) =>
    barRow(k, v, fmt(v), { mark: 'ekman', color: k === r.ekman!.dominant ? 'var(--accent)' : 'var(--fg2)' }),
  );
  return el('div', {}, el('h2', {}, 'Ekman profile'), el('div', { class: 'bars' }, ...rows));
}

function affectLine(r: Result): Node {
  const s = typeof r.sentiment === 'string' ? r.sentiment : r.sentiment?.label;
  return el(
    'p',
    { class: 'small' },
    `valence ${fmt(r.valence)} (−1..1) · arousal ${fmt(r.arousal)} (0..1)`,
    s ? ` · ${s}` : '',
  );
}

function sentencesCard(r: Result): Node | null {
  if (!r.sentences?.length) return null;
  const items = r.sentences.map((s) => {
    const label = s.dominant?.label ?? s.ekman?.dominant ?? s.ekman_dominant ?? '';
    return el(
      'li',
      {},
      el(
        'mark',
        {
          class: 'sent',
          'data-mark': 'sentence',
          style: `background:${valenceColor(s.valence)}`,
          title: `valence ${fmt(s.valence)}`,
        },
        s.text,
      ),
      el('span', { class: 'small muted' }, ` valence ${fmt(s.valence)}${label ? `, ${label}` : ''}`),
    );
  });
  return el(
    'div',
    {},
    el('h2', {}, 'Sentences by valence'),
    el('p', { class: 'small muted' }, 'green = positive, red = negative; stronger colour = larger |valence|'),
    el('ol', { class: 'sentences' }, ...items),
  );
}

/** The text with the explanation's spans for one label marked; spans are UTF-16 offsets into the input text. */
function highlighted(text: string, spans: Array<Span & { contribution: number }>): Node {
  const max = Math.max(1e-9, ...spans.map((s) => Math.abs(s.contribution)));
  const ordered = spans
    .filter((s) => s.start >= 0 && s.end <= text.length && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out = el('p', { class: 'explained' });
  let at = 0;
  for (const s of ordered) {
    if (s.start < at) continue; // overlapping spans: keep the first
    out.append(text.slice(at, s.start));
    const a = (0.15 + (0.5 * Math.abs(s.contribution)) / max).toFixed(3);
    const color = s.contribution >= 0 ? `rgba(31, 95, 191, ${a})` : `rgba(179, 92, 0, ${a})`;
    out.append(
      el(
        'mark',
        { 'data-mark': 'span', style: `background:${color}`, title: `contribution ${fmt(s.contribution, 4)}` },
        text.slice(s.start, s.end),
        el('span', { class: 'sr-only' }, ` (contribution ${fmt(s.contribution, 4)})`),
      ),
    );
    at = s.end;
  }
  out.append(text.slice(at));
  return out;
}

function explanationCard(r: Result, text: string | undefined): Node | null {
  const ex = r.explanation;
  if (!ex?.labels.length) return null;
  const blocks = ex.labels.map((l) => {
    const body =
      text !== undefined
        ? highlighted(text, l.spans)
        : el(
            'ul',
            {},
            ...l.spans.map((s) => el('li', { 'data-mark': 'span' }, `“${s.text}” ${fmt(s.contribution, 4)}`)),
          );
    return el('div', {}, el('h3', { class: 'small' }, `${l.label} (p = ${fmt(l.probability)})`), body);
  });
  return el(
    'div',
    {},
    el('h2', {}, `What drives the top labels (${ex.unit}s)`),
    el('p', { class: 'small muted' }, 'blue raises the label, orange lowers it (p with the text − p without the span)'),
    ...blocks,
  );
}

startView<Output>('analyze_emotion', {
  render(out, args) {
    const texts = inputTexts(args);
    const cards = out.results.map((r, i) => {
      const text = texts?.[i];
      return el(
        'section',
        { class: 'card', 'aria-label': `text ${i + 1}` },
        el('h1', {}, out.results.length > 1 ? `Text ${i + 1} (${r.language})` : `Emotions (${r.language})`),
        text ? el('p', { class: 'small muted' }, text.length > 280 ? `${text.slice(0, 280)}…` : text) : null,
        r.transfer?.length
          ? el(
              'p',
              { class: 'small muted', 'data-mark': 'transfer' },
              `Cross-lingual transfer (no ${r.language} training data): ${r.transfer.join(', ')}`,
            )
          : null,
        affectLine(r),
        labelsCard(r),
        ekmanCard(r),
        sentencesCard(r),
        explanationCard(r, text),
      );
    });
    byId('root').replaceChildren(...cards, out.model ? el('p', { class: 'small muted' }, `model ${out.model.id}`) : '');
  },
});
