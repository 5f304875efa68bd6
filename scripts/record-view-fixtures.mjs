// Records the tool results the view tests render (test/fixtures/views/<tool>.json: { args, result }) through the
// built stdio server with the shipped model. Re-record after an intended output change:
// `npm run build && node scripts/record-view-fixtures.mjs`.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { startServer } from './record-calls.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(ROOT, 'test/fixtures/views');

async function call(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${r.content.map((c) => c.text).join(' ')}`);
  const { cached: _c, elapsed_ms: _e, ...structured } = r.structuredContent;
  return { content: r.content, structuredContent: structured };
}

async function emotion(client) {
  const text =
    'I finally got the job I wanted and I am so happy. But I will miss my old team terribly. Moving to a new city scares me a little.';
  const args = { text, top_k: 5, granularity: 'sentence', explain: true };
  return { args, result: await call(client, 'analyze_emotion', args) };
}

function series(seed, n) {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

async function surd(client) {
  // y depends on x1 alone, on x1 and x2 together (xor of their signs), and on noise.
  const x1 = series(11, 400).map((v) => (v > 0.5 ? 1 : 0));
  const x2 = series(12, 400).map((v) => (v > 0.5 ? 1 : 0));
  const e = series(13, 400);
  const target = x1.map((_, t) => (t === 0 ? 0 : (x1[t - 1] ^ x2[t - 1]) + 0.6 * x1[t - 1] + 0.3 * e[t]));
  const args = {
    target,
    sources: { x1, x2 },
    bins: [4, 2, 2],
    target_name: 'y',
    significance: { surrogates: 199, seed: 1 },
  };
  return { args, result: await call(client, 'surd_decompose', args) };
}

async function regret(client) {
  const args = {
    options: [{ name: 'expand now' }, { name: 'wait a year' }, { name: 'sell' }],
    scenarios: [
      { name: 'demand grows', probability: 0.55 },
      { name: 'demand falls', probability: 0.45 },
    ],
    outcomes: [
      [120, -60],
      [50, 10],
      [30, 30],
    ],
  };
  return { args, result: await call(client, 'regret_forecast', args) };
}

const MINA = [
  'I got the offer from the Seoul office today!',
  'Thanks, I am so excited and a bit proud of myself.',
  'Next month. But it means leaving you and the team behind.',
  'I am scared I will be lonely there.',
  'I feel terrible about leaving.',
  'Let us promise to call every week.',
  'The apartment they showed me is tiny and dark.',
  'I cried a little after the call with my mother.',
  'Honestly I am angry that they gave me only two weeks.',
  'Okay, I found a cheaper flight, that helps.',
  'My new manager sent a very kind welcome message.',
  'I still cannot sleep, I keep worrying.',
  'Packing is exhausting and boring.',
  'We had a lovely farewell lunch, I loved it.',
  'I am grateful for everything you did for me.',
  'The movers broke my favourite lamp, I am furious.',
  'Fine, it is just a lamp. I am calmer now.',
  'Seoul looks beautiful in the photos.',
  'I am nervous about the first day.',
  'I met a neighbour who is really friendly!',
  'Today was great, the team was welcoming.',
  'I miss you, but I think I will be happy here.',
];
const JOON = [
  'That is wonderful news, congratulations!',
  'You deserve it. When do you start?',
  'Oh. I did not think about that. That makes me sad.',
  'I am worried too, honestly. It will be hard.',
  'Please do not feel guilty.',
  'Deal. I am really happy for you, truly.',
  'That sounds disappointing.',
  'I am sorry, that must have been hard.',
  'That is unfair of them, I would be annoyed too.',
  'Great, good news at last.',
  'See, they already like you.',
  'Try to rest, you will be fine.',
  'I can come over and help on Saturday.',
  'It was fun, everyone will miss you.',
  'You are welcome, you are my best friend.',
  'Oh no, that is so annoying.',
  'Good, it is only a thing.',
  'It really is a lovely city.',
  'Everyone is nervous on the first day.',
  'That is lucky, I am glad.',
  'I am so relieved to hear that.',
  'I miss you too. I am proud of you.',
];
async function conversation(client) {
  const args = {
    turns: MINA.flatMap((m, i) => [
      { speaker: 'Mina', text: m },
      { speaker: 'Joon', text: JOON[i] },
    ]),
  };
  return { args, result: await call(client, 'analyze_conversation', args) };
}

/** The corpus input (test/fixtures/views/corpus-feedback.csv: the conversation sentences above, with a team and a date) is copied to a temporary data directory, where the tool also writes its JSONL and HTML. */
const corpusDir = mkdtempSync(resolve(tmpdir(), 'rh-view-corpus-'));
copyFileSync(resolve(ROOT, 'test/fixtures/views/corpus-feedback.csv'), resolve(corpusDir, 'feedback.csv'));
async function corpus(client) {
  const args = {
    path: resolve(corpusDir, 'feedback.csv'),
    text_field: 'text',
    group_field: 'team',
    time_field: 'date',
    time_bucket: 'month',
  };
  const out = await call(client, 'analyze_corpus', args);
  delete out.structuredContent.rows_per_second;
  return { args, result: out };
}

const client = await startServer({ RED_HEART_DATA_DIRS: corpusDir });
const { tools } = await client.listTools();
const have = new Set(tools.map((t) => t.name));
try {
  for (const [name, make] of [
    ['analyze_emotion', emotion],
    ['surd_decompose', surd],
    ['regret_forecast', regret],
    ['analyze_conversation', conversation],
    ['analyze_corpus', corpus],
  ]) {
    if (!have.has(name)) {
      console.log(`skipped ${name}: not registered on this server`);
      continue;
    }
    writeFileSync(
      resolve(OUT, `${name}.json`),
      `${JSON.stringify({ tool: name, ...(await make(client)) }, null, 1)}\n`,
    );
    console.log(`recorded ${name}`);
  }
} finally {
  await client.close();
  rmSync(corpusDir, { recursive: true, force: true });
}
