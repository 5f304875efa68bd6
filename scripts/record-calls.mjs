// Records the structured output (or error text) of a fixed set of tool calls through the built server over stdio
// with the shipped model, into test/fixtures/recorded-calls.json. test/integration/recorded.test.ts replays them
// and requires identical results (ignoring elapsed_ms and cached), so refactors that must not change behaviour
// can prove it. Re-record only when a behaviour change is intended: `npm run build && node scripts/record-calls.mjs`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { surdExampleArgs } from './surd_example_args.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(ROOT, 'test/fixtures/recorded-calls.json');

/** Servers the calls run on: the defaults, and one with tight limits so every limit message is reached. */
export const SERVERS = {
  default: {},
  tight: {
    RED_HEART_MAX_TEXT_CHARS: '40',
    RED_HEART_MAX_BATCH_TEXTS: '2',
    RED_HEART_REGRET_MAX_CELLS: '6',
    RED_HEART_SURD_MAX_SAMPLES: '20',
    RED_HEART_SURD_MAX_CELLS: '64',
    RED_HEART_SURD_MAX_SOURCES: '2',
  },
  // README's examples (scripts/readme-examples.mjs renders them from these recordings); a fixed secret, so the
  // signed conversation state token is the same in every run
  readme: { RED_HEART_CACHE_SECRET: 'recorded-calls-readme-examples' },
};

const EN = 'I lied to my best friend about the accident and now I cannot sleep.';
const EN2 = 'We finally won the championship after years of hard work!';
const KO = '친구에게 거짓말을 해서 너무 미안하고 후회된다.';
const KO2 = '오늘 가족과 함께 맛있는 저녁을 먹어서 정말 행복했다.';
const LONG = 'This sentence is long enough to pass the tight limit of forty characters.';

const effect = (kind, x = 0.5) => ({
  kind,
  intensity: x,
  duration: 0.4,
  certainty: 0.9,
  propinquity: 0.8,
  fecundity: 0.3,
  purity: 0.7,
});
const matrix = {
  options: [{ name: 'confess' }, { name: 'stay silent' }],
  scenarios: [
    { name: 'friend finds out', probability: 0.6 },
    { name: 'never known', probability: 0.4 },
  ],
  outcomes: [
    [5, 2],
    [-10, 6],
  ],
};
// Deterministic pseudo-random series (LCG), so the SURD inputs are fixed without a data file.
function series(seed, n) {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}
const x1 = series(1, 200);
const x2 = series(2, 200);
const y = x1.map((v, i) => (i === 0 ? 0 : x1[i - 1] + 0.5 * x2[i - 1]));
const xor = [
  [
    [0.25, 0],
    [0, 0.25],
  ],
  [
    [0, 0.25],
    [0.25, 0],
  ],
];

/** The 13-turn support chat of README's analyze_conversation example. */
const SUPPORT_CHAT = [
  ['customer', 'Hi, my order arrived yesterday, thanks for the quick shipping.'],
  ['agent', 'Glad to hear it! How can I help you today?'],
  ['customer', 'I have a question about the coffee grinder that came with it.'],
  ['agent', 'Of course, what would you like to know?'],
  ['customer', 'The lid was cracked when I opened the box.'],
  ['agent', 'I am sorry about that. Could you send us a photo of the lid?'],
  ['customer', 'I already sent three photos last week and nobody answered.'],
  ['agent', 'I apologise for the delay, let me look at your case.'],
  ['customer', 'This is ridiculous. I am furious, you keep ignoring me.'],
  ['agent', 'I am sorry about that. I understand why you are upset.'],
  ['customer', 'I am sick of this. Just refund me and I will buy elsewhere.'],
  ['agent', 'I have issued a full refund; you will see it within three days.'],
  ['customer', 'Fine. Thank you, I guess.'],
].map(([speaker, text]) => ({ speaker, text }));

/** README's examples: [name, tool, arguments]; each is recorded on the `readme` server with `readme: name`. */
export const README_CALLS = [
  [
    'analyze_emotion',
    'analyze_emotion',
    { texts: ["I can't believe they cancelled my flight again.", '오늘 정말 행복한 하루였어요!'], top_k: 3 },
  ],
  [
    'analyze_emotion_sentences',
    'analyze_emotion',
    {
      texts: [
        'The hotel was lovely but the staff lost our luggage twice.',
        '시험에 떨어져서 너무 속상해요. 그래도 다음엔 잘할 거예요.',
      ],
      detail: 'summary',
      granularity: 'sentence',
    },
  ],
  [
    'analyze_emotion_explain',
    'analyze_emotion',
    {
      texts: ['Honestly I am not happy with this at all.', 'Thanks for nothing, great job ruining my weekend.'],
      explain: true,
    },
  ],
  [
    'bentham_score',
    'bentham_score',
    {
      parties: [
        {
          name: 'commuters',
          count: 200,
          effects: [
            {
              kind: 'pleasure',
              intensity: 0.4,
              duration: 0.8,
              certainty: 0.9,
              propinquity: 0.7,
              fecundity: 0.3,
              purity: 0.9,
            },
          ],
        },
        {
          name: 'residents',
          count: 30,
          effects: [
            {
              kind: 'pain',
              intensity: 0.7,
              duration: 0.6,
              certainty: 0.8,
              propinquity: 0.9,
              fecundity: 0.2,
              purity: 0.8,
            },
          ],
        },
      ],
    },
  ],
  [
    'regret_forecast',
    'regret_forecast',
    {
      options: [{ name: 'buy' }, { name: 'wait' }],
      scenarios: [
        { name: 'prices rise', probability: 0.4 },
        { name: 'prices fall', probability: 0.6 },
      ],
      outcomes: [
        [120000, -50000],
        [0, 0],
      ],
      probability_concentration: 20,
    },
  ],
  ['surd_decompose', 'surd_decompose', surdExampleArgs()],
  [
    'full_analysis',
    'full_analysis',
    {
      text: 'I lied to my best friend about the accident and now I cannot sleep.',
      regret: {
        options: [{ name: 'confess' }, { name: 'stay silent' }],
        scenarios: [
          { name: 'friend finds out', probability: 0.6 },
          { name: 'never known', probability: 0.4 },
        ],
        outcomes: [
          [5, 2],
          [-10, 6],
        ],
      },
    },
  ],
  ['analyze_conversation', 'analyze_conversation', { turns: SUPPORT_CHAT }],
];

/** [server, tool, arguments, extra fields of the recording] */
export const CALLS = [
  // analyze_emotion
  ['default', 'analyze_emotion', { text: EN }],
  ['default', 'analyze_emotion', { text: EN2, language: 'en', top_k: 3 }],
  ['default', 'analyze_emotion', { text: KO }],
  ['default', 'analyze_emotion', { text: KO2, language: 'ko', top_k: 10, threshold: 0.2 }],
  ['default', 'analyze_emotion', { texts: [EN, KO, EN2, KO2] }],
  ['default', 'analyze_emotion', { text: EN, language: 'ko' }],
  ['default', 'analyze_emotion', { text: 'ok', threshold: 0 }],
  ['default', 'analyze_emotion', { text: 'ok', threshold: 1, top_k: 44 }],
  ['default', 'analyze_emotion', { text: 'a'.repeat(3000) }],
  ['default', 'analyze_emotion', {}],
  ['default', 'analyze_emotion', { text: EN, texts: [EN] }],
  ['default', 'analyze_emotion', { text: '' }],
  ['default', 'analyze_emotion', { text: EN, top_k: 0 }],
  ['default', 'analyze_emotion', { text: EN, language: 'fr' }],
  ['default', 'analyze_emotion', { texts: [] }],
  ['default', 'analyze_emotion', { text: 'x'.repeat(20_001) }],
  ['tight', 'analyze_emotion', { text: LONG }],
  ['tight', 'analyze_emotion', { texts: ['a', 'b', 'c'] }],
  ['tight', 'analyze_emotion', { texts: ['short', LONG] }],
  // bentham_score
  [
    'default',
    'bentham_score',
    {
      parties: [
        { name: 'me', effects: [effect('pleasure', 0.8)] },
        { name: 'friend', count: 2, effects: [effect('pain', 0.6)] },
      ],
    },
  ],
  [
    'default',
    'bentham_score',
    {
      parties: [{ name: 'a', effects: [effect('pleasure')] }],
      v2: { external_cost: 0.2, redistribution_effect: -0.5, self_damage: 0.1 },
      profile: 'korean',
    },
  ],
  [
    'default',
    'bentham_score',
    {
      parties: [{ name: 'a', effects: [effect('pleasure'), effect('pain')] }],
      layer_weights: { contextual: 5, temporal: 0.1 },
    },
  ],
  ['default', 'bentham_score', { parties: [{ name: 'a', effects: [{ ...effect('pain'), intensity: 0 }] }] }],
  ['default', 'bentham_score', { scenario: EN }],
  ['default', 'bentham_score', { scenario: KO, profile: 'western', v2: { self_damage: 0.3 } }],
  ['default', 'bentham_score', { scenario: EN, parties: [{ name: 'x', effects: [effect('pleasure')] }] }],
  ['default', 'bentham_score', {}],
  ['default', 'bentham_score', { parties: [] }],
  ['default', 'bentham_score', { parties: [{ name: 'a', effects: [{ ...effect('pleasure'), intensity: 2 }] }] }],
  ['default', 'bentham_score', { scenario: 'x', profile: 'martian' }],
  ['tight', 'bentham_score', { scenario: LONG }],
  // regret_forecast
  ['default', 'regret_forecast', matrix],
  ['default', 'regret_forecast', { ...matrix, regret_aversion: 0, hurwicz_alpha: 1 }],
  [
    'default',
    'regret_forecast',
    { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 's' }], outcomes: [[1], [1]] },
  ],
  [
    'default',
    'regret_forecast',
    {
      options: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      scenarios: [{ name: 's1' }, { name: 's2' }, { name: 's3' }],
      outcomes: [
        [3, 0, 1],
        [1, 2, 2],
        [0, 5, -1],
      ],
      regret_aversion: 2.5,
    },
  ],
  ['default', 'regret_forecast', { decision: EN }],
  ['default', 'regret_forecast', { decision: KO }],
  [
    'default',
    'regret_forecast',
    {
      decision: 'Should I move to Seoul for the new job?',
      options: [
        { name: 'move', description: 'take the job and move to Seoul' },
        { name: 'stay', description: 'keep my current job near family' },
      ],
    },
  ],
  [
    'default',
    'regret_forecast',
    {
      options: [
        { name: 'tea', description: 'drink green tea' },
        { name: 'coffee', description: 'drink strong coffee' },
      ],
    },
  ],
  ['default', 'regret_forecast', {}],
  [
    'default',
    'regret_forecast',
    {
      outcomes: [
        [1, 2],
        [3, 4],
      ],
    },
  ],
  ['default', 'regret_forecast', { options: matrix.options, outcomes: matrix.outcomes }],
  ['default', 'regret_forecast', { options: matrix.options, scenarios: matrix.scenarios }],
  ['default', 'regret_forecast', { ...matrix, options: [{ name: 'a' }, { name: 'a' }] }],
  ['default', 'regret_forecast', { ...matrix, outcomes: [[1, 2], [3]] }],
  [
    'default',
    'regret_forecast',
    {
      ...matrix,
      scenarios: [
        { name: 'x', probability: 0.5 },
        { name: 'y', probability: 0.6 },
      ],
    },
  ],
  ['default', 'regret_forecast', { ...matrix, scenarios: [{ name: 'x', probability: 0.5 }, { name: 'y' }] }],
  [
    'default',
    'regret_forecast',
    {
      ...matrix,
      outcomes: [
        [1e308, -1e308],
        [0, 0],
      ],
    },
  ],
  [
    'default',
    'regret_forecast',
    {
      ...matrix,
      regret_aversion: 50,
      outcomes: [
        [1000, 0],
        [0, 1000],
      ],
    },
  ],
  ['default', 'regret_forecast', { options: [{ name: 'only' }] }],
  [
    'tight',
    'regret_forecast',
    {
      options: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      scenarios: [{ name: 's1' }, { name: 's2' }, { name: 's3' }],
      outcomes: [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
    },
  ],
  ['tight', 'regret_forecast', { decision: LONG }],
  [
    'tight',
    'regret_forecast',
    {
      decision: 'short',
      options: [
        { name: 'a', description: 'x' },
        { name: 'b', description: 'y' },
      ],
    },
  ],
  // surd_decompose
  ['default', 'surd_decompose', { target: y, sources: [x1, x2], bins: 4 }],
  [
    'default',
    'surd_decompose',
    {
      target: y,
      sources: { first: x1, second: x2 },
      bins: [3, 4, 4],
      lag: 2,
      target_name: 'y',
      include_subset_mi: true,
    },
  ],
  ['default', 'surd_decompose', { target: y, sources: [x1, x2, y], bins: 3, max_order: 2 }],
  ['default', 'surd_decompose', { histogram: xor, names: ['a', 'b'] }],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [1, 2],
        [3, 4],
      ],
      include_subset_mi: true,
    },
  ],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [0, 0],
        [0, 0],
      ],
    },
  ],
  ['default', 'surd_decompose', { target: [1, 1, 1, 1, 1], sources: [[1, 2, 3, 4, 5]], bins: 2 }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[4, 5, 6]] }],
  ['default', 'surd_decompose', {}],
  [
    'default',
    'surd_decompose',
    {
      target: [1, 2, 3],
      sources: [[1, 2, 3]],
      histogram: [
        [1, 2],
        [3, 4],
      ],
    },
  ],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2]] }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2, 3]], lag: 3 }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2, 3]], lag: 2 }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [] }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2, 3]], bins: [2, 2, 2] }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2, 3]], bins: 1 }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: [[1, 2, 3]], names: ['a', 'b'] }],
  ['default', 'surd_decompose', { target: [1, 2, 3], sources: { a: [1, 2, 3] }, names: ['a'] }],
  ['default', 'surd_decompose', { histogram: [[1, 2], [3]] }],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [1, -2],
        [3, 4],
      ],
    },
  ],
  ['default', 'surd_decompose', { histogram: [1, 2] }],
  ['default', 'surd_decompose', { histogram: [[1, 2]] }],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [1, 2],
        [3, 4],
      ],
      lag: 1,
    },
  ],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [1, 2],
        [3, 4],
      ],
      names: ['a', 'b'],
    },
  ],
  [
    'default',
    'surd_decompose',
    {
      histogram: [
        [1, 2],
        [3, 4],
      ],
      names: ['a'],
      target_name: '',
    },
  ],
  ['tight', 'surd_decompose', { target: x1.slice(0, 30), sources: [x2.slice(0, 30)] }],
  [
    'tight',
    'surd_decompose',
    {
      target: [1, 2, 3],
      sources: [
        [1, 2, 3],
        [1, 2, 3],
        [3, 2, 1],
      ],
    },
  ],
  ['tight', 'surd_decompose', { target: [1, 2, 3, 4], sources: [[1, 2, 3, 4]], bins: 16 }],
  [
    'tight',
    'surd_decompose',
    {
      target: [1, 2, 3, 4],
      sources: [
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ],
      bins: 8,
      max_order: 1,
    },
  ],
  ['tight', 'surd_decompose', { histogram: [[[[1]]]] }],
  ['tight', 'surd_decompose', { histogram: Array.from({ length: 9 }, () => Array(9).fill(1)) }],
  // full_analysis
  ['default', 'full_analysis', { text: EN }],
  ['default', 'full_analysis', { text: KO }],
  ['default', 'full_analysis', { text: EN, regret: matrix }],
  [
    'default',
    'full_analysis',
    { text: EN, bentham: { parties: [{ name: 'me', effects: [effect('pain', 0.7)] }] }, surd: { histogram: xor } },
  ],
  [
    'default',
    'full_analysis',
    { text: KO2, sections: ['emotion', 'surd'], surd: { target: y, sources: [x1, x2], bins: 3 } },
  ],
  [
    'default',
    'full_analysis',
    { text: EN, sections: ['bentham'], bentham: { profile: 'korean', v2: { external_cost: 0.3 } } },
  ],
  ['default', 'full_analysis', { text: EN, regret: { options: [{ name: 'a' }] }, surd: { histogram: [[1, 2], [3]] } }],
  [
    'default',
    'full_analysis',
    {
      text: EN,
      regret: {
        decision: 'Should I confess?',
        options: [
          { name: 'confess', description: 'tell the truth now' },
          { name: 'wait', description: 'say nothing for now' },
        ],
      },
    },
  ],
  ['default', 'full_analysis', { text: EN, bentham: { parties: [] } }],
  ['default', 'full_analysis', { text: '' }],
  ['default', 'full_analysis', { text: EN, sections: [] }],
  ['default', 'full_analysis', { text: EN, sections: ['ethics'] }],
  ['tight', 'full_analysis', { text: LONG }],
  [
    'tight',
    'full_analysis',
    {
      text: 'short one',
      surd: {
        target: [1, 2, 3],
        sources: [
          [1, 2, 3],
          [1, 2, 3],
          [3, 2, 1],
        ],
      },
      regret: matrix,
    },
  ],
  ...README_CALLS.map(([readme, tool, args]) => ['readme', tool, args, { readme }]),
];

/**
 * What a call returned, in a form that compares across runs: error text, or summary + structured output. A result's
 * text ends with the structured output as JSON (it carries elapsed_ms, so it is compared as "equals structuredContent").
 */
export function outcome(r) {
  if (r.isError)
    return {
      isError: true,
      text: r.content?.map((c) => c.text).join('\n'),
      code: r._meta?.['red-heart/error']?.code ?? null,
    };
  const lines = (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n')
    .split('\n');
  const json = lines.pop();
  let textJsonIsStructured = false;
  try {
    textJsonIsStructured = JSON.stringify(JSON.parse(json)) === JSON.stringify(r.structuredContent);
  } catch {
    /* not JSON: recorded as false */
  }
  return {
    isError: false,
    text: lines.join('\n'),
    text_json_is_structured: textJsonIsStructured,
    structured: r.structuredContent ?? null,
  };
}

export async function startServer(env) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [resolve(ROOT, 'dist/src/server/cli.js')],
    // the tests' environment policy (test/helpers/env.ts): no inherited RED_HEART_* setting reaches the server
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RED_HEART_'))),
      RED_HEART_CACHE: 'memory',
      RED_HEART_LOG_LEVEL: 'warn',
      ...env,
    },
    stderr: 'ignore',
    cwd: ROOT,
  });
  const client = new Client({ name: 'record', version: '0' });
  await client.connect(transport);
  return client;
}

export async function callOnce(client, tool, args) {
  try {
    return outcome(await client.callTool({ name: tool, arguments: args }));
  } catch (err) {
    return { isError: true, thrown: true, text: err.message };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const clients = {};
  for (const [name, env] of Object.entries(SERVERS)) clients[name] = await startServer(env);
  const recorded = [];
  for (const [server, tool, args, extra] of CALLS)
    recorded.push({ server, tool, args, ...extra, result: await callOnce(clients[server], tool, args) });
  for (const c of Object.values(clients)) await c.close();
  writeFileSync(OUT, `${JSON.stringify({ servers: SERVERS, calls: recorded }, null, 1)}\n`);
  const errors = recorded.filter((r) => r.result.isError).length;
  console.log(`${recorded.length} calls recorded (${errors} errors) into ${OUT}`);
}
