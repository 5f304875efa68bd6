// Broken state on disk must not take the server down: a corrupt or foreign cache file (an old JSON cache,
// junk, a damaged SQLite file) is moved aside with a warning and rebuilt; a missing or corrupt model makes analyze_emotion answer a clear error while the
// tools that need no model (SURD, structured Bentham and regret) keep working.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/server/cache/result-cache.js';
import { SqliteStore } from '../../src/server/cache/sqlite-store.js';
import { startServer, type RunningServer } from '../integration/harness.js';
import { FIXTURE_MODELS } from './helpers/http.js';
import { cachedFlag, regretCall, resultText } from '../helpers/calls.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

const REGRET = regretCall([
  [3, 0],
  [1, 2],
]);
const SURD = {
  name: 'surd_decompose',
  arguments: {
    target: [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1],
    sources: [
      [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0],
      [1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0],
    ],
    bins: 2,
  },
};
const BENTHAM = {
  name: 'bentham_score',
  arguments: {
    parties: [
      {
        name: 'me',
        effects: [
          {
            kind: 'pleasure',
            intensity: 0.6,
            duration: 0.5,
            certainty: 0.9,
            propinquity: 1,
            fecundity: 0.3,
            purity: 0.9,
          },
        ],
      },
    ],
  },
};

async function expectModelFreeToolsWork(server: RunningServer): Promise<void> {
  for (const call of [SURD, BENTHAM, REGRET]) {
    const r = await server.client.callTool(call);
    expect(r.isError, `${call.name}: ${resultText(r)}`).toBeFalsy();
    expect(r.structuredContent).toBeTruthy();
  }
}

describe('corrupt or foreign cache file', () => {
  for (const [name, file, content, aside] of [
    [
      'an old JSON cache (truncated)',
      'cache.json',
      '{"cache":[["rh:abc",{"value":"{\\"value\\":{\\"structured\\"',
      'not-sqlite',
    ],
    ['binary junk', 'cache.sqlite', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0x80, 0x81]), 'not-sqlite'],
    ['valid JSON of the wrong shape', 'cache.sqlite', '[1,2,3]', 'not-sqlite'],
    [
      'a damaged SQLite file',
      'cache.sqlite',
      Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x5a)]),
      'corrupt',
    ],
  ] as const) {
    it(`${name}: warning, moved aside, rebuilt, no crash`, async () => {
      const dir = tmp('rh-corrupt-cache-');
      const path = join(dir, file);
      writeFileSync(path, content);
      const server = await startServer({
        env: { RED_HEART_CACHE: 'file', RED_HEART_CACHE_PATH: path, RED_HEART_MODELS_DIR: FIXTURE_MODELS },
      });
      try {
        const first = await server.client.callTool(REGRET);
        expect(first.isError).toBeFalsy();
        expect(cachedFlag(first)).toBe(false);
        const second = await server.client.callTool(REGRET);
        expect(cachedFlag(second)).toBe(true);
        expect(server.stderr()).toMatch(/moved aside, starting empty/);
        expect(readdirSync(dir).some((f) => f.startsWith(`${file}.${aside}-`))).toBe(true);
      } finally {
        await server.close();
      }
      // rebuilt on disk: a valid store holding the new entry
      const store = SqliteStore.open({ path, maxEntries: 10, maxBytes: 1e9, ttlSeconds: 0, writer: 'inline' });
      try {
        expect(store.totals().entries).toBeGreaterThanOrEqual(1);
      } finally {
        await store.close();
      }
    });
  }

  it('a cache entry of the wrong shape is dropped, never returned', async () => {
    const dir = tmp('rh-bad-entry-');
    const path = join(dir, 'cache.sqlite');
    // A sound store whose entry for exactly this call is garbage.
    const parsedArgs = { ...REGRET.arguments, regret_aversion: 1, regret_aversion_mode: 'scaled', hurwicz_alpha: 0.5 }; // as the server sees them, defaults filled
    const key = cacheKey('regret_forecast', parsedArgs, null);
    const store = SqliteStore.open({ path, maxEntries: 10, maxBytes: 1e9, ttlSeconds: 0, writer: 'inline' });
    store.set(key, JSON.stringify({ oops: true }));
    await store.close();
    const server = await startServer({
      env: { RED_HEART_CACHE: 'file', RED_HEART_CACHE_PATH: path, RED_HEART_MODELS_DIR: FIXTURE_MODELS },
    });
    try {
      const r = await server.client.callTool(REGRET);
      expect(r.isError).toBeFalsy();
      expect(cachedFlag(r)).toBe(false); // computed, not the garbage
      expect(r.structuredContent).not.toHaveProperty('oops');
      const status = JSON.parse(
        ((await server.client.readResource({ uri: 'red-heart://status' })).contents[0] as { text: string }).text,
      );
      expect(status.cache.tampered).toBeGreaterThanOrEqual(1); // written without the installation secret's MAC
      expect(cachedFlag(await server.client.callTool(REGRET))).toBe(true); // replaced by the good result
      await expectModelFreeToolsWork(server);
    } finally {
      await server.close();
    }
  });
});

describe('missing or corrupt model', () => {
  const brokenDirs: Array<[string, () => string, RegExp]> = [
    ['no manifest at all', () => tmp('rh-nomodel-'), /manifest/i],
    [
      'a manifest that is not JSON',
      () => {
        const d = tmp('rh-badmanifest-');
        writeFileSync(join(d, 'manifest.json'), '{"schema_version": 1, "models": [');
        return d;
      },
      /manifest/i,
    ],
    [
      'a manifest whose model file is missing',
      () => {
        const d = tmp('rh-missingfile-');
        copyFileSync(join(FIXTURE_MODELS, 'manifest.json'), join(d, 'manifest.json'));
        copyFileSync(join(FIXTURE_MODELS, 'tokenizer.json'), join(d, 'tokenizer.json'));
        return d;
      },
      /fixture\.onnx/,
    ],
    [
      'a model file with one flipped byte',
      () => {
        const d = tmp('rh-flipped-');
        for (const f of readdirSync(FIXTURE_MODELS)) copyFileSync(join(FIXTURE_MODELS, f), join(d, f));
        // the file of the model the server will load (the manifest's default)
        const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as {
          default_model: string;
          models: Array<{ id: string; file: string }>;
        };
        const onnx = (manifest.models.find((m) => m.id === manifest.default_model) ?? manifest.models[0]).file;
        const bytes = readFileSync(join(d, onnx));
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        writeFileSync(join(d, onnx), bytes);
        return d;
      },
      /sha-?256|checksum|corrupt|does not match/i,
    ],
  ];

  for (const [name, make, mentions] of brokenDirs) {
    it(`${name}: analyze_emotion answers a clear error; SURD, Bentham and regret still work`, async () => {
      const server = await startServer({ env: { RED_HEART_MODELS_DIR: make(), RED_HEART_CACHE: 'memory' } });
      try {
        const r = await server.client.callTool({ name: 'analyze_emotion', arguments: { text: 'I am happy' } });
        expect(r.isError).toBe(true);
        expect(resultText(r)).toMatch(/^model_missing: /);
        expect(resultText(r)).toMatch(mentions);
        await expectModelFreeToolsWork(server);
        // asking again gives the same clear answer (no crash, no half-loaded state)
        const again = await server.client.callTool({ name: 'analyze_emotion', arguments: { text: 'still sad' } });
        expect(resultText(again)).toMatch(/^model_missing: /);
        const status = JSON.parse(
          ((await server.client.readResource({ uri: 'red-heart://status' })).contents[0] as { text: string }).text,
        );
        expect(status.engine).toBeTruthy();
      } finally {
        await server.close();
      }
    });
  }
});
