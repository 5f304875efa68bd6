// Re-embedding the memory (src/tools/memory-reembed.ts) with two fake models whose embeddings lie in different
// spaces: records remembered with model A are not searched while model B is loaded (recall and red-heart://memory
// name the command), and after re-embedding they carry B's hash and are found. Records B cannot read are left as
// they were and reported; a cancelled run keeps the batches it committed and the next run finishes the rest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TextEngine } from '../../src/core/model.js';
import { MemoryStore } from '../../src/server/memory/store.js';
import { memorySummary } from '../../src/server/server.js';
import { recallTool } from '../../src/tools/recall.js';
import { rememberTool } from '../../src/tools/remember.js';
import { reembedMemory } from '../../src/tools/memory-reembed.js';
import type { ToolContext } from '../../src/tools/types.js';
import { fakeEmbeddingEngine } from '../helpers/fake-engine.js';
import { toolContext } from '../helpers/tool-context.js';

const A = fakeEmbeddingEngine(0xa11ce, ['en', 'ko', 'ja']);
const B = fakeEmbeddingEngine(0xb0b, ['en', 'ko']);

const stores: MemoryStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
function store(): MemoryStore {
  const s = MemoryStore.open(join(mkdtempSync(join(tmpdir(), 'rh-reembed-')), 'm.sqlite'));
  stores.push(s);
  return s;
}
function ctxWith(engine: TextEngine, memory: MemoryStore, configure?: Parameters<typeof toolContext>[1]): ToolContext {
  const ctx = toolContext(engine, configure);
  ctx.services.memory = memory;
  return ctx;
}

const TEXTS = [
  'You lied to me again and I am furious about it',
  'Thank you so much for the lovely flowers',
  'The train leaves at nine tomorrow morning',
];

async function rememberAll(ctx: ToolContext, texts: readonly string[]): Promise<void> {
  for (const text of texts) await rememberTool.handler({ text, tags: [], labels: { ekman: ['joy'] } }, ctx);
}

describe('memory reembed', () => {
  it('records of another model are not searched; re-embedded, they carry the loaded model and are found', async () => {
    const m = store();
    await rememberAll(ctxWith(A, m), TEXTS);
    const ctxB = ctxWith(B, m);

    const before = await recallTool.handler({ text: TEXTS[1], k: 3 }, ctxB);
    expect(before.structured).toMatchObject({ matches: [], searched: 0, other_model_records: 3 });
    expect(before.summary).toContain('3 records from another model not searched');
    expect(before.summary).toContain('red-heart-mcp memory reembed --memory PATH');
    expect(memorySummary(m)).toMatchObject({
      other_model: 3,
      reembed: expect.stringContaining(`red-heart-mcp memory reembed --memory ${m.path}`),
    });

    const seen: number[] = [];
    const r = await reembedMemory(ctxB, { batch: 2, onBatch: (p) => seen.push(p.reembedded) });
    expect(r).toEqual({ model: B.embedder!.sha256, total: 3, reembedded: 3, skipped: 0, left: [] });
    expect(seen).toEqual([2, 3]); // two transactions of at most 2 records

    const after = await recallTool.handler({ text: TEXTS[1], k: 3 }, ctxB);
    expect(after.structured.searched).toBe(3);
    expect(after.structured.other_model_records).toBe(0);
    expect(after.structured.matches[0]).toMatchObject({ id: 2, model_sha256: B.embedder!.sha256.slice(0, 12) });
    // the same text through the same model, int8-rounded twice: cosine 1 within the rounding
    expect(after.structured.matches[0].similarity).toBeGreaterThan(0.999);
    expect(memorySummary(m)).not.toHaveProperty('reembed');
    // and model A's records are now the other model's
    const back = await recallTool.handler({ text: TEXTS[1], k: 3 }, ctxWith(A, m));
    expect(back.structured).toMatchObject({ searched: 0, other_model_records: 3 });
  });

  it("leaves a record whose text the model cannot read as it was, reports why, and a second run doesn't loop on it", async () => {
    const m = store();
    const japanese = '今日は本当に楽しかったです。どうもありがとうございました。';
    const long = 'a very long text '.repeat(10).trim();
    await rememberAll(ctxWith(A, m), [TEXTS[0], japanese, long, TEXTS[2]]);
    const ctxB = ctxWith(B, m, (c) => (c.limits.maxTextChars = 100));
    const r = await reembedMemory(ctxB, { batch: 64 });
    expect(r).toMatchObject({ total: 4, reembedded: 2, skipped: 2 });
    expect(r.left.map((l) => l.id)).toEqual([2, 3]);
    expect(r.left[0].reason).toMatch(/ja/);
    expect(r.left[1].reason).toBe('169 characters; the limit is 100 (--max-text-chars)');
    expect(m.stats(B.embedder!.sha256).other_model).toBe(2);
    expect(m.otherModel(B.embedder!.sha256, 10).map((x) => x.model)).toEqual([A.model.sha256, A.model.sha256]);
    const again = await reembedMemory(ctxB, { batch: 64 });
    expect(again).toMatchObject({ total: 2, reembedded: 0, skipped: 2 });
  });

  it('red-heart://memory quotes a store path that is not one shell word', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rh-reembed-')), "it's a dir");
    const m = MemoryStore.open(join(dir, 'm.sqlite'));
    stores.push(m);
    await rememberAll(ctxWith(A, m), [TEXTS[0]]);
    m.prepare(B.embedder!.sha256, 384); // counted against model B from here on
    // one shell word: single quotes around it, a quote inside written as '\''
    const quoted = `'${dir.replace(/'/g, "'\\''")}/m.sqlite'`;
    expect(quoted).toContain("it'\\''s a dir");
    expect(memorySummary(m).reembed).toMatch(/^1 record was embedded by another model and is not searched: /);
    expect((memorySummary(m).reembed as string).endsWith(`memory reembed --memory ${quoted}`)).toBe(true);
  });

  it('a cancelled run keeps the batches it committed; the next run re-embeds the rest', async () => {
    const m = store();
    await rememberAll(ctxWith(A, m), TEXTS);
    const abort = new AbortController();
    const ctxB = { ...ctxWith(B, m), signal: abort.signal };
    await expect(reembedMemory(ctxB, { batch: 2, onBatch: () => abort.abort() })).rejects.toMatchObject({
      code: 'cancelled',
    });
    const sha = B.embedder!.sha256;
    expect([...m.all()].map((x) => x.model)).toEqual([sha, sha, A.model.sha256]);
    const rest = await reembedMemory(ctxWith(B, m), { batch: 2 });
    expect(rest).toMatchObject({ total: 1, reembedded: 1, skipped: 0 });
    expect(m.stats(sha).other_model).toBe(0);
  });
});
