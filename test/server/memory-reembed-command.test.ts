// `red-heart-mcp memory reembed` with the shipped model (built CLI): records imported from another model are counted
// by a server's red-heart://memory with the command that re-embeds them, and re-embedded a batch per transaction with progress on stderr; a run killed with SIGKILL after its first batch
// leaves every record either untouched (old model, old vector) or re-embedded (whole batches, in id order), the next
// run finishes the rest, and a server then recalls the records by their text.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/server/cache/sqlite-db.js';
import { serverEnv } from '../helpers/env.js';
import { until } from '../helpers/poll.js';
import { CLI, startServer } from '../integration/harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OLD = 'b'.repeat(64);
const N = 120;
const manifest = JSON.parse(readFileSync(join(ROOT, 'models/manifest.json'), 'utf8'));
interface ModelEntry {
  id: string;
  sha256: string;
  outputs: Record<string, unknown>;
}
// The shipped default's embedding comes from its member with a sentence_embedding output (the default itself when
// it is one model).
const members: string[] = manifest.ensembles?.find((e: { id: string }) => e.id === manifest.default_model)?.members ?? [
  manifest.default_model,
];
const SHIPPED: string = (manifest.models as ModelEntry[]).find(
  (m) => members.includes(m.id) && 'sentence_embedding' in m.outputs,
)!.sha256;
const text = (i: number) => `Note ${i}: ${i % 2 ? 'I am thrilled about the new job' : 'The meeting was moved again'}.`;

/** The old vectors: deterministic int8 noise, distinguishable from any embedding of the texts. */
const oldVector = (i: number) =>
  Buffer.from(Int8Array.from({ length: 384 }, (_, j) => ((i * 37 + j * 11) % 200) - 100).buffer);

function rows(path: string): Array<{ id: number; model: string; vector: Buffer }> {
  const db = new Database(path, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT id, model, vector FROM memories ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

describe('red-heart-mcp memory reembed', () => {
  it('is resumable after SIGKILL: whole batches re-embedded or untouched, then finished and searchable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-reembed-cli-'));
    const store = join(dir, 'memory.sqlite');
    const jsonl = join(dir, 'old.jsonl');
    writeFileSync(
      jsonl,
      Array.from({ length: N }, (_, k) =>
        JSON.stringify({
          kind: 'case',
          text: text(k + 1),
          labels: { ekman: [k % 2 ? 'joy' : 'neutral'] },
          tags: [],
          time: '2026-01-01T00:00:00Z',
          model: OLD,
          vector: oldVector(k + 1).toString('base64'),
        }),
      ).join('\n'),
    );
    const imp = spawnSync(process.execPath, [CLI, 'memory', 'import', '--memory', store, jsonl], {
      env: serverEnv(),
      encoding: 'utf8',
    });
    expect(imp.status, imp.stderr).toBe(0);

    // a server counts them against its model once the model has loaded (no recall needed) and names the command
    const before = await startServer({ args: ['--memory', store, '--cache', 'none'] });
    try {
      const body = await until(
        'red-heart://memory to name the loaded model',
        async () => {
          const res = await before.client.readResource({ uri: 'red-heart://memory' });
          const b = JSON.parse((res.contents[0] as { text: string }).text);
          return b.model ? b : undefined;
        },
        { timeoutMs: 120_000, everyMs: 200 },
      );
      expect(body).toMatchObject({ model: SHIPPED, records: N, other_model: N });
      expect(body.reembed).toBe(
        `${N} records were embedded by another model and are not searched: stop the server and run red-heart-mcp memory reembed --memory ${store}`,
      );
    } finally {
      await before.close();
    }
    await until('the server to release the store', () => !existsSync(`${store}.lock`), { timeoutMs: 30_000 });

    // first run: killed as soon as it reports its first committed batch
    const child = spawn(process.execPath, [CLI, 'memory', 'reembed', '--memory', store, '--batch', '4'], {
      env: serverEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/re-embedded \d+ of \d+ records/.test(stderr)) {
          child.kill('SIGKILL');
          res();
        }
      });
      child.on('exit', () => rej(new Error(`reembed exited before reporting a batch: ${stderr}`)));
    });
    await new Promise((res) => child.on('exit', res));
    expect(stderr).toMatch(/^re-embedded 4 of 120 records$/m);

    const mid = rows(store);
    const done = mid.filter((r) => r.model === SHIPPED);
    expect(mid.filter((r) => r.model !== SHIPPED && r.model !== OLD)).toEqual([]);
    for (const r of mid)
      if (r.model === OLD) expect(r.vector.equals(oldVector(r.id)), `#${r.id}`).toBe(true);
      else expect(r.vector.equals(oldVector(r.id)), `#${r.id}`).toBe(false);
    // whole batches of 4, taken in id order
    expect(done.length % 4).toBe(0);
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(done.length).toBeLessThan(N);
    expect(done.map((r) => r.id)).toEqual(Array.from({ length: done.length }, (_, i) => i + 1));

    // second run: finishes the rest
    const rest = spawnSync(process.execPath, [CLI, 'memory', 'reembed', '--memory', store, '--batch', '16'], {
      env: serverEnv(),
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.stderr).toContain(`${N - done.length} of ${N - done.length} records from other models re-embedded`);
    const end = rows(store);
    expect(end.every((r) => r.model === SHIPPED)).toBe(true);
    // the first run's vectors were not redone
    for (const r of done) expect(end[r.id - 1].vector.equals(r.vector)).toBe(true);

    // a server recalls records of both runs by their text
    const server = await startServer({ args: ['--memory', store, '--cache', 'none'] });
    try {
      for (const id of [1, N]) {
        const r = await server.client.callTool({ name: 'recall', arguments: { text: text(id), k: 3 } });
        const recalled = r.structuredContent as {
          matches: Array<{ id: number; similarity: number }>;
          other_model_records: number;
        };
        expect(recalled.other_model_records).toBe(0);
        // its own record: the same text through the same model, int8-rounded twice (cosine 1 within the rounding)
        const own = recalled.matches.find((m) => m.id === id);
        expect(own?.similarity).toBeGreaterThan(0.999);
      }
    } finally {
      await server.close();
    }
  }, 600_000);

  it('refuses without a store, naming the usage', () => {
    const r = spawnSync(process.execPath, [CLI, 'memory', 'reembed'], { env: serverEnv(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no store given\nusage: red-heart-mcp memory reembed --memory PATH/);
  });
});
