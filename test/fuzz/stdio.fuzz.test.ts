// Fuzz: 2,080 generated hostile tool calls (fast-check) against the real, built stdio server. Wrong
// types, huge and empty strings, ±Infinity through JSON tricks (1e999), -0, 2^53+1 and 400-digit
// numbers, deep nesting, unknown and prototype-named fields, duplicate keys, lone surrogates, invalid
// UTF-8 bytes, giant arrays — mutated from valid calls of all seven tools, plus garbage messages that are
// not calls at all. Every call must be answered (a result, an isError result, or a JSON-RPC error),
// none with an internal error, stdout must carry only JSON-RPC, and the server must be alive after.
// Reproduce a run with FUZZ_SEED=<seed printed below>; FUZZ_RUNS=<batches of 8> changes its size.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../integration/harness.js';
import { RawStdioServer, ROOT, type RpcAnswer } from './raw-stdio.js';

// CI runs a fixed seed (a red CI must mean a change broke something); elsewhere every run explores anew.
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.CI ? 20_261_123 : Math.floor(Math.random() * 2 ** 31)));
const BATCHES = Number(process.env.FUZZ_RUNS ?? 260);
const BATCH = 8;
// Every run makes exactly BATCHES × BATCH calls; on a busy machine it may take longer, up to this generous
// limit, past which the test fails (vitest's timeout names it) instead of quietly making fewer calls.
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 600_000);

// ---- an encoder that can say what JSON.stringify cannot --------------------------------------------
/** A pre-encoded JSON fragment (bytes as is: may hold invalid UTF-8, 1e999, duplicate keys). */
class Raw {
  constructor(
    readonly bytes: Buffer,
    readonly label: string,
  ) {}
  [fc.toStringMethod](): string {
    return `Raw(${this.label})`;
  }
  toJSON(): string {
    return `Raw(${this.label})`;
  }
}
const raw = (text: string | Buffer, label: string) =>
  new Raw(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, label);

function encode(value: unknown): Buffer {
  const parts: Buffer[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Raw) parts.push(v.bytes);
    else if (typeof v === 'number') {
      if (Number.isNaN(v))
        parts.push(Buffer.from('"NaN"')); // no JSON text parses to NaN: send the type confusion instead
      else if (v === Infinity)
        parts.push(Buffer.from('1e999')); // JSON.parse gives Infinity
      else if (v === -Infinity) parts.push(Buffer.from('-1e999'));
      else if (Object.is(v, -0)) parts.push(Buffer.from('-0'));
      else parts.push(Buffer.from(JSON.stringify(v)));
    } else if (typeof v === 'string')
      parts.push(Buffer.from(JSON.stringify(v), 'utf8')); // lone surrogates → \udXXX escapes
    else if (v === null || typeof v === 'boolean') parts.push(Buffer.from(JSON.stringify(v)));
    else if (Array.isArray(v)) {
      parts.push(Buffer.from('['));
      for (let i = 0; i < v.length; i++) {
        if (i) parts.push(Buffer.from(','));
        walk(v[i] === undefined ? null : v[i]); // holes (deleted elements) become null
      }
      parts.push(Buffer.from(']'));
    } else if (typeof v === 'object') {
      parts.push(Buffer.from('{'));
      let first = true;
      for (const [k, item] of Object.entries(v as object)) {
        if (item === undefined) continue;
        if (!first) parts.push(Buffer.from(','));
        first = false;
        parts.push(Buffer.from(`${JSON.stringify(k)}:`));
        walk(item);
      }
      parts.push(Buffer.from('}'));
    } else parts.push(Buffer.from('null'));
  };
  walk(value);
  return Buffer.concat(parts);
}

// ---- hostile values ----------------------------------------------------------------------------------
const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\uDFFF',
  'a\uDC00b\uD83D',
  '\uFEFF',
  '\u202Eevil',
  '﷽'.repeat(200),
  '😀'.repeat(500),
  '{"jsonrpc":"2.0"}',
  '\n\n\n',
  '%s%n%x',
  '${process.exit()}',
  '__proto__',
  '행복해요 정말로',
  'ㅋ'.repeat(3000),
  'NaN',
  'Infinity',
  '-0',
  '1e999',
];
const SPECIAL_NUMBERS = [
  Infinity,
  -Infinity,
  NaN,
  -0,
  0,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 1,
  -(2 ** 31),
  2 ** 32,
  0.1 + 0.2,
  1e-320,
];

const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 19_990, max: 120_000 }), fc.constantFrom('x', 'é', '가', '😀', ' '))
      .map(([n, c]) => c.repeat(Math.ceil(n / c.length))),
  },
);
const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...SPECIAL_NUMBERS));
const rawTricks = fc.oneof(
  fc.integer({ min: 50, max: 3_000 }).map((d) => raw(`${'['.repeat(d)}${']'.repeat(d)}`, `nested arrays ×${d}`)),
  fc.integer({ min: 50, max: 2_000 }).map((d) => raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`, `nested objects ×${d}`)),
  fc
    .integer({ min: 10_000, max: 150_000 })
    .map((n) => raw(`[${Array.from({ length: n }, (_, i) => (i * 7919) % 13).join(',')}]`, `giant array ×${n}`)),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => raw(`[${'"s",'.repeat(n - 1)}"s"]`, `giant string array ×${n}`)),
  fc.constantFrom(
    raw('1e999', '+Infinity'),
    raw('-1e999', '-Infinity'),
    raw('1'.padEnd(400, '7'), '400-digit integer'),
    raw('0.' + '0'.repeat(400) + '1', 'tiny decimal'),
    raw('-0.0e-0', 'negative zero'),
    raw(Buffer.from([0x22, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22]), 'invalid UTF-8 string'),
    raw(Buffer.from([0x22, 0x61, 0xf0, 0x9f, 0x98, 0x22]), 'truncated UTF-8 sequence'),
    raw('"\\ud800\\udbff\\udfff"', 'surrogate escapes'),
    raw('{"text":"a","text":5}', 'duplicate keys'),
    raw('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}', 'prototype keys'),
    raw('[1,2,3,]'.replace(',]', ']'), 'array'),
    raw('{}', 'empty object'),
    raw('[]', 'empty array'),
    raw('"\\u0000"', 'NUL escape'),
  ),
);
const { hostile } = fc.letrec((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: hostileString },
    { weight: 5, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: rawTricks },
    { weight: 2, arbitrary: fc.array(tie('hostile'), { maxLength: 6 }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 8 }),
          fc.constantFrom('__proto__', 'constructor', 'toString', 'text', 'target'),
        ),
        tie('hostile'),
        { maxKeys: 4 },
      ),
    },
  ),
}));

// ---- valid calls to start from, and the places to break them --------------------------------------------
const effect = {
  kind: 'pleasure',
  intensity: 0.5,
  duration: 0.5,
  certainty: 0.9,
  propinquity: 1,
  fecundity: 0.2,
  purity: 0.8,
};
const series = (k: number) => Array.from({ length: 24 }, (_, i) => ((i * (k + 3) * 31) % 7) - 3);
const TOOLS: Record<string, { base: () => Record<string, unknown>; paths: Array<Array<string | number>> }> = {
  analyze_emotion: {
    base: () => ({ text: 'I am so glad you came, thank you!' }),
    paths: [
      ['text'],
      ['texts'],
      ['texts', 0],
      ['language'],
      ['top_k'],
      ['threshold'],
      ['detail'],
      ['granularity'],
      ['explain'],
    ],
  },
  bentham_score: {
    base: () => ({ parties: [{ name: 'neighbours', count: 3, effects: [{ ...effect }] }] }),
    paths: [
      ['parties'],
      ['parties', 0],
      ['parties', 0, 'name'],
      ['parties', 0, 'count'],
      ['parties', 0, 'effects'],
      ['parties', 0, 'effects', 0, 'intensity'],
      ['parties', 0, 'effects', 0, 'kind'],
      ['parties', 0, 'effects', 0, 'purity'],
      ['scenario'],
      ['v2'],
      ['v2', 'external_cost'],
      ['layer_weights'],
      ['profile'],
    ],
  },
  regret_forecast: {
    base: () => ({
      options: [{ name: 'a' }, { name: 'b' }],
      scenarios: [
        { name: 'x', probability: 0.4 },
        { name: 'y', probability: 0.6 },
      ],
      outcomes: [
        [1, 0],
        [0, 2],
      ],
    }),
    paths: [
      ['options'],
      ['options', 0],
      ['options', 1, 'name'],
      ['scenarios'],
      ['scenarios', 0, 'probability'],
      ['outcomes'],
      ['outcomes', 0],
      ['outcomes', 1, 0],
      ['regret_aversion'],
      ['regret_aversion_mode'],
      ['probability_concentration'],
      ['hurwicz_alpha'],
      ['decision'],
      ['options', 0, 'description'],
    ],
  },
  surd_decompose: {
    base: () => ({ target: series(0), sources: [series(1), series(2)], bins: 3 }),
    paths: [
      ['target'],
      ['target', 3],
      ['sources'],
      ['sources', 0],
      ['sources', 1, 5],
      ['bins'],
      ['lag'],
      ['histogram'],
      ['max_order'],
      ['names'],
      ['target_name'],
      ['include_subset_mi'],
    ],
  },
  full_analysis: {
    base: () => ({ text: 'It was a hard choice, but I think it was fair to everyone.' }),
    paths: [['text'], ['language'], ['detail'], ['granularity'], ['explain']],
  },
  analyze_conversation: {
    base: () => ({
      turns: [
        { speaker: 'a', text: 'Hi, how are you?' },
        { speaker: 'b', text: 'Tired, but fine.', time: 60 },
      ],
    }),
    paths: [
      ['turns'],
      ['turns', 0],
      ['turns', 0, 'speaker'],
      ['turns', 1, 'text'],
      ['turns', 1, 'time'],
      ['state'],
      ['detail'],
      ['explain'],
      ['top_k'],
    ],
  },
};
const TOOL_NAMES = Object.keys(TOOLS);

function setPath(obj: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = obj;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || next instanceof Raw) node[key] = typeof key === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1]] = value;
}
function deletePath(obj: Record<string, unknown>, path: Array<string | number>): void {
  let node: unknown = obj;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (node && typeof node === 'object') delete (node as Record<string | number, unknown>)[path[path.length - 1]];
}

type Mutation =
  | { op: 'set'; path: Array<string | number>; value: unknown }
  | { op: 'delete'; path: Array<string | number> }
  | { op: 'extra'; key: string; value: unknown };
interface FuzzCall {
  tool: string;
  /** What is sent as `arguments` (undefined: the field is left out). */
  args: unknown;
  label: string;
}

const mutatedCall: fc.Arbitrary<FuzzCall> = fc.constantFrom(...TOOL_NAMES).chain((tool) => {
  const spec = TOOLS[tool];
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...spec.paths), value: hostile }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...spec.paths) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('extra' as const),
        key: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.constantFrom('__proto__', 'constructor', '', 'extra'),
        ),
        value: hostile,
      }),
    },
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => {
    const args = spec.base();
    for (const m of ms) {
      if (m.op === 'set') setPath(args, m.path, m.value);
      else if (m.op === 'delete') deletePath(args, m.path);
      else if (m.key === '__proto__')
        Object.defineProperty(args, '__proto__', {
          value: m.value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      else args[m.key] = m.value;
    }
    return {
      tool,
      args,
      label: ms
        .map((m) => (m.op === 'extra' ? `extra ${JSON.stringify(m.key)}` : `${m.op} ${m.path.join('.')}`))
        .join(', '),
    };
  });
});

const wholeArgs: fc.Arbitrary<FuzzCall> = fc.record({
  tool: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TOOL_NAMES) }, { weight: 2, arbitrary: hostileString }),
  args: fc.oneof(hostile, fc.constant(undefined)),
  label: fc.constant('whole arguments replaced'),
});

const call: fc.Arbitrary<FuzzCall> = fc.oneof(
  { weight: 4, arbitrary: mutatedCall },
  { weight: 1, arbitrary: wholeArgs },
);

/** Messages that are not well-formed calls: no answer is owed, but the server must survive them. */
const garbage = fc.oneof(
  fc.constantFrom(
    'not json at all',
    '{',
    '{"jsonrpc":"2.0","id":1,',
    '[]',
    '[1,2,3]',
    'null',
    '"string"',
    '{"jsonrpc":"1.0","id":"g1","method":"tools/call"}',
    '{"jsonrpc":"2.0","id":{"nested":1},"method":"tools/call","params":{}}',
    '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"analyze_emotion"}}',
    '{"jsonrpc":"2.0","id":"g2","method":"tools/call","params":"string params"}',
    '{"jsonrpc":"2.0","id":"g3","result":{}}',
    '\u0000\u0001\u0002',
    `{"jsonrpc":"2.0","id":"g4","method":"tools/call","params":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/[\n\r]/g, ' ')),
);

function callBytes(id: number, c: FuzzCall): Buffer {
  const params: Record<string, unknown> = { name: c.tool };
  if (c.args !== undefined) params.arguments = c.args;
  const body = encode({ jsonrpc: '2.0', id, method: 'tools/call', params });
  // Framing is newline-delimited: a raw newline byte cannot be in a message (encode never emits one).
  return body;
}

/**
 * Internal errors already reported and reproduced by an `it.fails` test below: counted and printed, not
 * failed on, so that a run stays green for code that did not cause them. Remove an entry when it is fixed.
 */
const KNOWN_INTERNAL: Array<{ tool: string; pattern: RegExp; bug: string }> = [];

// ---- the run -------------------------------------------------------------------------------------------
describe('fuzz: hostile tool calls over stdio', () => {
  let server: RawStdioServer;
  beforeAll(async () => {
    server = new RawStdioServer({
      RED_HEART_CACHE: 'memory',
      RED_HEART_LOG_LEVEL: 'warn',
      RED_HEART_MODELS_DIR: `${ROOT}/test/fixtures/model`,
      RED_HEART_TIMEOUT_MS: '10000',
    });
    await server.initialize();
  });
  afterAll(async () => {
    await server?.close();
  });

  it(
    `answers every one of ${BATCHES * BATCH} hostile calls and stays alive (seed ${SEED})`,
    async () => {
      console.log(`[fuzz] seed ${SEED} (rerun with FUZZ_SEED=${SEED}), ${BATCHES} batches of ${BATCH}`);
      let nextId = 1;
      const counts = { calls: 0, ok: 0, isError: 0, rpcError: 0, garbage: 0 };
      const codes = new Map<string, number>();
      const examples = new Map<string, string>();
      const internal: string[] = [];
      const knownHits = new Map<string, number>();
      const started = performance.now();
      const latencies: number[] = [];

      const check = (c: FuzzCall, a: RpcAnswer, ms: number) => {
        counts.calls++;
        latencies.push(ms);
        if (a.error) {
          expect(typeof a.error.code, `JSON-RPC error without a code for ${c.tool} (${c.label})`).toBe('number');
          expect(
            a.error.message?.length ?? 0,
            `JSON-RPC error without a message for ${c.tool} (${c.label})`,
          ).toBeGreaterThan(0);
          counts.rpcError++;
          codes.set(`rpc ${a.error.code}`, (codes.get(`rpc ${a.error.code}`) ?? 0) + 1);
          if (!examples.has(`rpc ${a.error.code}`))
            examples.set(`rpc ${a.error.code}`, `${c.tool} (${c.label}): ${a.error.message.slice(0, 200)}`);
          return;
        }
        const r = a.result!;
        expect(r, `neither result nor error for ${c.tool} (${c.label})`).toBeTruthy();
        const text = r.content?.find((x) => x.type === 'text')?.text ?? '';
        expect(text.length, `empty text for ${c.tool} (${c.label})`).toBeGreaterThan(0);
        if (r.isError) {
          counts.isError++;
          const code =
            /^([a-z_]+):/.exec(text)?.[1] ??
            (/validation/i.test(text) ? 'input_validation' : /not found/i.test(text) ? 'unknown_tool' : 'other');
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (!examples.has(code)) examples.set(code, `${c.tool} (${c.label}): ${text.slice(0, 200)}`);
          if (code === 'internal') {
            const known = KNOWN_INTERNAL.find((k) => k.tool === c.tool && k.pattern.test(text));
            if (known) knownHits.set(known.bug, (knownHits.get(known.bug) ?? 0) + 1);
            else internal.push(`${c.tool} (${c.label}): ${text.slice(0, 300)}`);
          }
        } else {
          counts.ok++;
          expect(
            r.structuredContent && typeof r.structuredContent === 'object',
            `success without structuredContent for ${c.tool} (${c.label})`,
          ).toBe(true);
        }
      };

      const garbageSamples = fc.sample(garbage, { seed: SEED, numRuns: 120 });
      let g = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          // a piece of garbage between batches
          if (g < garbageSamples.length) {
            server.write(garbageSamples[g++]);
            counts.garbage++;
          }
          const answers = await Promise.all(
            batch.map(async (c) => {
              const id = nextId++;
              const t0 = performance.now();
              const bytes = callBytes(id, c);
              try {
                const a = await server.request(id, bytes, 20_000);
                return [c, a, performance.now() - t0] as const;
              } catch (err) {
                throw new Error(
                  `${(err as Error).message}: ${c.tool} (${c.label}), ${bytes.length} bytes: ${bytes.subarray(0, 400).toString('utf8')}`,
                  { cause: err },
                );
              }
            }),
          );
          for (const [c, a, ms] of answers) check(c, a, ms);
          expect(server.alive).toBe(true);
        }),
        { seed: SEED, numRuns: BATCHES, endOnFailure: true },
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((x, y) => x - y);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
      console.log(
        `[fuzz] ${counts.calls} calls + ${counts.garbage} garbage messages in ${seconds.toFixed(1)} s: ${counts.ok} results, ${counts.isError} isError, ${counts.rpcError} JSON-RPC errors; latency p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${p(1)} ms`,
      );
      console.log(
        `[fuzz] answers by kind: ${JSON.stringify(Object.fromEntries([...codes].sort((x, y) => y[1] - x[1])))}`,
      );
      for (const [k, v] of examples) console.log(`[fuzz]   e.g. ${k}: ${v}`);

      for (const [bug, n] of knownHits) console.warn(`[fuzz] KNOWN BUG hit ${n}×: ${bug}`);
      expect(internal, `internal errors (bugs) on hostile input:\n${internal.join('\n')}`).toEqual([]);
      expect(counts.calls, 'every generated call was made').toBe(BATCHES * BATCH);
      expect(server.junk, 'non-JSON-RPC output on stdout').toEqual([]);

      // alive after: ping, tools/list, a valid call
      const ping = await server.request(
        'after-ping',
        JSON.stringify({ jsonrpc: '2.0', id: 'after-ping', method: 'ping' }),
      );
      expect(ping.result).toBeTruthy();
      const list = await server.request(
        'after-list',
        JSON.stringify({ jsonrpc: '2.0', id: 'after-list', method: 'tools/list' }),
      );
      expect((list.result as unknown as { tools: unknown[] }).tools).toHaveLength(7);
      const valid = await server.request(
        'after-call',
        callBytes(0, { tool: 'regret_forecast', args: TOOLS.regret_forecast.base(), label: 'valid' })
          .toString()
          .replace('"id":0', '"id":"after-call"'),
      );
      expect(valid.result?.isError).toBeFalsy();
      expect(server.alive).toBe(true);
      expect(server.stderr).not.toMatch(/uncaught exception|unhandled rejection/);
    },
    TIME_LIMIT_MS,
  );

  // Found by this fuzzer: a histogram nested thousands of levels deep used to overflow the stack (cache
  // keying and flattening recursed before any depth bound). It is now refused by depth.
  it('a SURD histogram nested 20,000 levels deep is refused as invalid_input or limit_exceeded', async () => {
    const d = 20_000;
    const a = await server.request(
      'deep',
      `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"surd_decompose","arguments":{"histogram":${'['.repeat(d)}${']'.repeat(d)}}}}`,
    );
    expect(a.result?.isError).toBe(true);
    expect(a.result?.content?.[0]?.text ?? '').toMatch(/^(invalid_input|limit_exceeded): /);
  });
});

// ---- well-formed calls with extreme values, through the SDK client --------------------------------------
// These pass the input schemas, so they reach the numerics. The SDK client validates every result's
// structuredContent against the tool's outputSchema (and throws if it does not match), so this also
// checks that no extreme input produces an out-of-contract result (NaN, Infinity, wrong shape).
const EXTREME_RUNS = Number(process.env.FUZZ_EXTREME_RUNS ?? 1_000);
const finiteExtreme = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 1, -1, 1e308, -1e308, 5e-324, 1e-300, 2 ** 53, 0.5),
);
const unitValue = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 5e-324, 1 - 2 ** -53));
const validExtreme: fc.Arbitrary<{ name: string; arguments: Record<string, unknown> }> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 6 })).chain(([n, m]) =>
    fc.record({
      name: fc.constant('regret_forecast'),
      arguments: fc.record(
        {
          options: fc.constant(Array.from({ length: n }, (_, i) => ({ name: `o${i}` }))),
          scenarios: fc.oneof(
            fc.constant(Array.from({ length: m }, (_, i) => ({ name: `s${i}` }))),
            fc
              .array(unitValue, { minLength: m, maxLength: m })
              .map((ps) => ps.map((p, i) => ({ name: `s${i}`, probability: p }))),
          ),
          outcomes: fc.array(fc.array(finiteExtreme, { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
          regret_aversion: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, 1e-300, 700)),
          hurwicz_alpha: unitValue,
        },
        { requiredKeys: ['options', 'scenarios', 'outcomes'] },
      ),
    }),
  ),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 120 })).chain(([k, n]) =>
    fc.record({
      name: fc.constant('surd_decompose'),
      arguments: fc.record(
        {
          target: fc.oneof(fc.array(finiteExtreme, { minLength: n, maxLength: n }), fc.constant(Array(n).fill(7))),
          sources: fc.array(
            fc.oneof(fc.array(finiteExtreme, { minLength: n, maxLength: n }), fc.constant(Array(n).fill(0))),
            { minLength: k, maxLength: k },
          ),
          bins: fc.integer({ min: 2, max: 8 }),
          lag: fc.integer({ min: 1, max: 3 }),
          include_subset_mi: fc.boolean(),
        },
        { requiredKeys: ['target', 'sources'] },
      ),
    }),
  ),
  fc.record({
    name: fc.constant('surd_decompose'),
    arguments: fc.record({
      histogram: fc
        .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }))
        .chain(([a, b, c]) =>
          // 1e308 cells make totals overflow: such histograms must be refused cleanly (see the test below).
          fc.array(
            fc.array(
              fc.array(
                fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, 1e300, 1e308, 5e-324)),
                { minLength: c, maxLength: c },
              ),
              { minLength: b, maxLength: b },
            ),
            { minLength: a, maxLength: a },
          ),
        ),
    }),
  }),
  fc.record({
    name: fc.constant('bentham_score'),
    arguments: fc.record(
      {
        parties: fc.array(
          fc.record({
            name: fc.string({ minLength: 1, maxLength: 20 }),
            count: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(2 ** 31, 2 ** 53 - 1)),
            effects: fc.array(
              fc.record({
                kind: fc.constantFrom('pleasure', 'pain'),
                intensity: unitValue,
                duration: unitValue,
                certainty: unitValue,
                propinquity: unitValue,
                fecundity: unitValue,
                purity: unitValue,
              }),
              { minLength: 1, maxLength: 4 },
            ),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        v2: fc.record(
          {
            external_cost: unitValue,
            redistribution_effect: fc.double({ min: -1, max: 1, noNaN: true }),
            self_damage: unitValue,
          },
          { requiredKeys: [] },
        ),
        layer_weights: fc.record(
          {
            contextual: finiteExtreme,
            temporal: finiteExtreme,
            social: finiteExtreme,
            ethical: finiteExtreme,
            emotional: finiteExtreme,
            cognitive: finiteExtreme,
          },
          { requiredKeys: [] },
        ),
        profile: fc.constantFrom('neutral', 'western', 'eastern', 'korean'),
      },
      { requiredKeys: ['parties'] },
    ),
  }),
  fc.record({
    name: fc.constant('analyze_emotion'),
    arguments: fc.record(
      {
        text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        language: fc.constantFrom('auto', 'en', 'ko'),
        top_k: fc.integer({ min: 1, max: 44 }),
        threshold: unitValue,
      },
      { requiredKeys: ['text'] },
    ),
  }),
);

// The refusals an in-contract call may get, per tool: each names the documented semantic check it fails (the
// schemas cannot express them). Anything else must be a result, and each tool must mostly succeed, so a
// regression that refuses well-formed calls fails here rather than passing as "a clear refusal".
const ALLOWED_REFUSALS: Record<string, Array<{ code: string; why: RegExp }>> = {
  bentham_score: [],
  // a text with no letter or digit can be all whitespace / zero-width / control characters
  analyze_emotion: [
    { code: 'empty_text', why: /empty after removing|no tokens after tokenisation/ },
    // random Unicode is often in a script or language the model does not read (docs/language.md)
    { code: 'unsupported_language', why: /the text is .*; the model reads only en, ko$/ },
  ],
  regret_forecast: [
    { code: 'invalid_input', why: /sum to 1/ }, // probabilities drawn independently per scenario
    { code: 'invalid_input', why: /too large in magnitude|overflow/ }, // ±1e308 outcomes, huge regret aversion
  ],
  surd_decompose: [
    { code: 'invalid_input', why: /lag \d+ must be smaller|usable \(target, sources\) pair|at least 2 target/ }, // short series, 1-state target
    { code: 'invalid_input', why: /finite and non-negative|total|overflow/ }, // histograms whose total overflows
  ],
};
/**
 * Least share of results (not refusals) per tool for the generator above (seed-independent margins). analyze_emotion:
 * about a third of the generator's random Unicode texts are in a language the model does not read and are refused
 * (126 of 195 analysed for one seed), so 0.4.
 */
const MIN_OK_SHARE: Record<string, number> = {
  bentham_score: 1,
  analyze_emotion: 0.4,
  regret_forecast: 0.1,
  surd_decompose: 0.5,
};

describe('fuzz: well-formed calls with extreme values (SDK client, output schemas enforced)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: {
        RED_HEART_CACHE: 'memory',
        RED_HEART_LOG_LEVEL: 'warn',
        RED_HEART_MODELS_DIR: `${ROOT}/test/fixtures/model`,
        RED_HEART_TIMEOUT_MS: '10000',
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`${EXTREME_RUNS} calls: a result that matches the output schema, or a clear refusal; never an internal error (seed ${SEED})`, async () => {
    const kinds = new Map<string, number>();
    const examples = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(validExtreme, async (call) => {
        let r;
        try {
          r = await server.client.callTool(call, undefined, { timeout: 20_000 });
        } catch (err) {
          throw new Error(`${call.name}: the client rejected the answer (${(err as Error).message.slice(0, 300)})`, {
            cause: err,
          });
        }
        const t = ((r.content as Array<{ text?: string }>)[0]?.text ?? '').slice(0, 300);
        const kind = r.isError ? `${call.name}:${/^([a-z_]+):/.exec(t)?.[1] ?? 'other'}` : `${call.name}:ok`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        if (!examples.has(kind)) examples.set(kind, t.slice(0, 160));
        expect(kind.endsWith(':internal'), `${call.name} internal error: ${t}`).toBe(false);
        expect(kind.endsWith(':other'), `${call.name} unclear error: ${t}`).toBe(false);
        if (r.isError) {
          const allowed = ALLOWED_REFUSALS[call.name].some((a) => t.startsWith(`${a.code}: `) && a.why.test(t));
          expect(
            allowed,
            `${call.name} refused an in-contract call: ${t} — arguments ${JSON.stringify(call.arguments).slice(0, 300)}`,
          ).toBe(true);
          if (call.name === 'analyze_emotion' && t.startsWith('empty_text: '))
            expect(
              /[\p{L}\p{N}]/u.test(String(call.arguments.text)),
              `a text with letters or digits was refused: ${t}`,
            ).toBe(false);
        }
      }),
      { seed: SEED, numRuns: EXTREME_RUNS, endOnFailure: true },
    );
    console.log(`[fuzz] extreme-value calls by outcome: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`);
    for (const [k, v] of examples) console.log(`[fuzz]   e.g. ${k}: ${v}`);
    for (const [tool, min] of Object.entries(MIN_OK_SHARE)) {
      const ok = kinds.get(`${tool}:ok`) ?? 0;
      const all = [...kinds].filter(([k]) => k.startsWith(`${tool}:`)).reduce((n, [, v]) => n + v, 0);
      expect(all, `${tool} was generated`).toBeGreaterThan(0);
      expect(ok / all, `${tool}: ${ok} of ${all} in-contract calls succeeded`).toBeGreaterThanOrEqual(min);
    }
  }, 180_000);

  // Found by this fuzzer: histogram cells whose total overflows to Infinity used to give NaN bits (an
  // output-validation error). surd_decompose now refuses such a histogram itself.
  it('a SURD histogram whose total overflows is refused as invalid_input', async () => {
    const r = await server.client.callTool({
      name: 'surd_decompose',
      arguments: {
        histogram: [
          [
            [1e308, 1],
            [1, 1e308],
          ],
          [
            [1, 1e308],
            [1e308, 1],
          ],
        ],
      },
    });
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0].text).toMatch(/^invalid_input: /);
  });
});
