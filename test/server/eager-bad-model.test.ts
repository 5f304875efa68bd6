// `--load eager` with a damaged model: the server reports the failure (status, log) and keeps serving the tools
// that need no model; text tools answer model_missing. `--on-model-error exit` makes the same start-up fail.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { serverEnv } from '../helpers/env.js';
import { CLI, ROOT, RawStdioServer } from '../fuzz/raw-stdio.js';
import { editManifest, fixtureCopy } from '../engine/helpers.js';

const bad = fixtureCopy((d) => editManifest(d, (m) => (m.models[0].sha256 = '0'.repeat(64))));
afterAll(() => rmSync(bad, { recursive: true, force: true }));

describe('eager loading of a damaged model', () => {
  it('keeps serving the exact tools and reports the model failure', async () => {
    const srv = new RawStdioServer({ RED_HEART_MODELS_DIR: bad, RED_HEART_LOAD: 'eager' });
    try {
      await srv.initialize();
      const call = (id: number, name: string, args: Record<string, unknown>) =>
        srv.request(
          id,
          JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
        );
      const regret = await call(1, 'regret_forecast', {
        options: [{ name: 'a' }, { name: 'b' }],
        scenarios: [{ name: 'x' }],
        outcomes: [[1], [2]],
      });
      expect(regret.result?.isError).toBeFalsy();
      const surd = await call(2, 'surd_decompose', { target: [0, 1, 0, 1, 1, 0], sources: [[0, 1, 0, 1, 1, 0]] });
      expect(surd.result?.isError).toBeFalsy();
      const emotion = await call(3, 'analyze_emotion', { text: 'I am glad' });
      expect(emotion.result?.isError).toBe(true);
      expect(emotion.result?.content?.[0].text).toMatch(/^model_missing: .*sha256/);
      const status = await srv.request(
        4,
        JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'red-heart://status' } }),
      );
      const engine = JSON.parse(
        (status.result as unknown as { contents: Array<{ text: string }> }).contents[0].text,
      ).engine;
      expect(engine).toMatchObject({ state: 'error', load_mode: 'eager', error: { kind: 'checksum_mismatch' } });
      expect(srv.stderr).toMatch(/the model failed to load: text tools will answer model_missing/);
    } finally {
      await srv.close();
    }
  });

  it('--on-model-error exit stops start-up with status 1, naming the failure', () => {
    const r = spawnSync(process.execPath, [CLI, '--load', 'eager', '--on-model-error', 'exit'], {
      cwd: ROOT,
      env: serverEnv({ RED_HEART_MODELS_DIR: bad }),
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/red-heart-mcp: .*sha256/);
  });
});
