// README's tool examples are real outputs: each block between `<!-- recorded: NAME -->` and `<!-- /recorded -->` is
// rendered from the recording named NAME in test/fixtures/recorded-calls.json (scripts/record-calls.mjs, README_CALLS:
// the calls run through the built stdio server with the shipped default model). After re-recording:
//   node scripts/readme-examples.mjs           rewrites README.md's marked blocks
//   node scripts/readme-examples.mjs --check   exits 1 (naming the blocks) when README differs from the recordings
// test/server/readme.test.ts runs the check, so an example left behind by an output change fails the suite.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const README = resolve(ROOT, 'README.md');
export const RECORDED = resolve(ROOT, 'test/fixtures/recorded-calls.json');
const BLOCK = /(<!-- recorded: ([\w-]+) -->\n)([\s\S]*?)(<!-- \/recorded -->)/g;
const WIDTH = 116;

/** x rounded to 4 significant digits (integers stay as they are). */
const sig4 = (x) => (Number.isInteger(x) ? x : Number(x.toPrecision(4)));
const fixed = (x, d = 3) => Number(x.toFixed(d));
const signed = (x) => `${x >= 0 ? '+' : ''}${fixed(x)}`;
const fence = (body, lang = '') => `\`\`\`${lang}\n${body}\n\`\`\`\n`;

function roundAll(v) {
  if (typeof v === 'number') return sig4(v);
  if (Array.isArray(v)) return v.map(roundAll);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundAll(x)]));
  return v;
}

/** JSON on one line with a space after each separator, as README writes it. */
function inline(v) {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (v && typeof v === 'object') {
    const e = Object.entries(v);
    return e.length ? `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(v);
}

/** JSON that keeps a value on one line when it fits in WIDTH, else one member per line. */
function pretty(v, indent = '', prefix = '') {
  const one = inline(v);
  if (indent.length + prefix.length + one.length <= WIDTH || !v || typeof v !== 'object') return one;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
  const lines = Object.entries(v).map(([k, x]) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + pretty(x, inner, key);
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** Words of `text` in lines of at most `width` characters, each starting with `lead`. */
function wrap(text, lead, width = WIDTH) {
  const lines = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && lead.length + cur.length + 1 + w.length > width) {
      lines.push(lead + cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(lead + cur);
  return lines.join('\n');
}

const bytes = (v) => Buffer.byteLength(JSON.stringify(v), 'utf8');
const withoutKey = (o, key) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/** How each example is shown, by name: (recorded call) → markdown. */
const RENDER = {
  // the text content's summary lines
  analyze_emotion: (c) => fence(c.result.text),
  bentham_score: (c) => fence(c.result.text),
  full_analysis: (c) => fence(c.result.text),
  analyze_conversation: (c) => fence(c.result.text),
  // each result's JSON (detail "summary") with its size, then its sentences
  analyze_emotion_sentences: (c) =>
    fence(
      c.result.structured.results
        .flatMap((r) => {
          const head = withoutKey(r, 'sentences');
          return [
            `${JSON.stringify(head)}   (${bytes(head)} bytes)`,
            ...(r.sentences ?? []).map((s) => `  ${JSON.stringify(s)}`),
          ];
        })
        .join('\n'),
    ),
  // per explained label: probability, then the three spans that lower it most when deleted
  analyze_emotion_explain: (c) => {
    const rows = c.result.structured.results.flatMap((r) =>
      r.explanation.labels.map((l) => [
        `${l.label} ${fixed(l.probability)}:`,
        l.spans
          .slice(0, 3)
          .map((s) => `${JSON.stringify(s.text)} [${s.start},${s.end}) ${signed(s.contribution)}`)
          .join(' · '),
      ]),
    );
    const w = Math.max(...rows.map(([h]) => h.length));
    return fence(rows.map(([h, spans]) => `${h.padEnd(w)} ${spans}`).join('\n'));
  },
  // the summary, then the sensitivity block (4 significant digits; the thresholds' probability vectors and the
  // fragile rule's wording left out)
  regret_forecast: (c) => {
    const s = roundAll(c.result.structured.sensitivity);
    for (const k of Object.keys(s.probability ?? {})) delete s.probability[k]?.probabilities_at_threshold;
    if (s.fragile) delete s.fragile.rule;
    return `${fence(wrap(c.result.text, ''))}\n${fence(`"sensitivity": ${pretty(s, '', '"sensitivity": ')}`, 'json')}`;
  },
  // the summary as a quote, then every component with its p-value, largest first
  surd_decompose: (c) => {
    const d = c.result.structured;
    const n = d.significance.surrogates;
    const p = (x) => (x === 1 / (n + 1) ? `${sig4(x)} (= 1/${n + 1}, the smallest possible)` : `${sig4(x)}`);
    const parts = [
      ...d.redundant.map((x) => ({ ...x, kind: 'redundant' })),
      ...d.unique.map((x) => ({ ...x, kind: 'unique' })),
      ...d.synergistic.map((x) => ({ ...x, kind: 'synergistic' })),
    ].sort((a, b) => b.bits - a.bits);
    const shown = parts.filter((x) => x.bits > 0);
    const rest = parts.filter((x) => x.bits === 0);
    const means = rest.map((x) => x.surrogate_mean);
    const rows = shown.map(
      (x) => `| ${x.kind} ${x.sources.join(', ')} | ${sig4(x.bits)} | ${p(x.p_value)} | ${sig4(x.surrogate_mean)} |`,
    );
    if (rest.length)
      rows.push(
        `| every other component (${rest.length}) | 0 | ${[...new Set(rest.map((x) => sig4(x.p_value)))].join(', ')} | ${sig4(Math.min(...means))}–${sig4(Math.max(...means))} |`,
      );
    const { mutual_information: mi, leak } = d.significance;
    rows.push(
      `| \`significance.mutual_information\` / \`.leak\` | ${sig4(mi.observed)} / ${sig4(leak.observed)} | ${sig4(mi.p_value)} / ${sig4(leak.p_value)} | ${sig4(mi.surrogate_mean)} / ${sig4(leak.surrogate_mean)} |`,
    );
    return `${wrap(c.result.text, '> ')}\n\n| component | bits | p_value | surrogate_mean |\n|---|---|---|---|\n${rows.join('\n')}\n`;
  },
};

/** README with every marked block rendered from the recordings; throws on an unknown or unrecorded name. */
export function renderReadme(readme, recorded) {
  const byName = new Map(recorded.calls.filter((c) => c.readme).map((c) => [c.readme, c]));
  return readme.replace(BLOCK, (_all, open, name, _body, close) => {
    const call = byName.get(name);
    if (!call) throw new Error(`README names the recording '${name}', which ${RECORDED} does not hold`);
    const render = RENDER[name];
    if (!render) throw new Error(`no renderer for the recording '${name}' in scripts/readme-examples.mjs`);
    if (call.result.isError) throw new Error(`the recording '${name}' is an error: ${call.result.text}`);
    return `${open}${render(call)}${close}`;
  });
}

/** Names of the marked blocks whose text differs from the rendering, in README order. */
export function staleBlocks(readme, rendered) {
  const blocks = (s) => [...s.matchAll(BLOCK)].map((m) => [m[2], m[3]]);
  const want = new Map(blocks(rendered));
  return blocks(readme)
    .filter(([name, body]) => want.get(name) !== body)
    .map(([name]) => name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync(README, 'utf8');
  const rendered = renderReadme(readme, JSON.parse(readFileSync(RECORDED, 'utf8')));
  if (process.argv.includes('--check')) {
    const stale = staleBlocks(readme, rendered);
    if (stale.length) {
      console.error(
        `README examples differ from the recordings: ${stale.join(', ')}; run node scripts/readme-examples.mjs`,
      );
      process.exit(1);
    }
    console.log('README examples match the recordings');
  } else {
    writeFileSync(README, rendered);
    console.log(`README examples rendered from ${RECORDED}`);
  }
}
