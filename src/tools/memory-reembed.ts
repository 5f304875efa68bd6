// Re-embedding the experience memory: records made with another model (their vectors are in another space, so
// they are counted and never searched) get the loaded model's embedding of their stored text, a batch at a time,
// each batch in one transaction (a run killed at any moment leaves every record either as it was or re-embedded,
// and the next run goes on with what is left). Run by `red-heart-mcp memory reembed` (src/server/memory/).
import { quantize } from '../analysis/memory/index.js';
import { throwIfCancelled } from '../core/errors.js';
import { textLength } from '../core/limits.js';
import { memoryFor } from './memory-input.js';
import { embedEach, memoryEmbedder } from './reading/pipeline.js';
import type { ToolContext } from './types.js';

export interface ReembedProgress {
  /** Records of other models when the run started. */
  total: number;
  reembedded: number;
  skipped: number;
}

export interface ReembedResult extends ReembedProgress {
  /** sha256 of the model whose embeddings the records now hold. */
  model: string;
  /** Records left as they were, with why (the first 20). */
  left: Array<{ id: number; reason: string }>;
}

const LISTED = 20;

/**
 * Re-embeds every record made with another model than the loaded one, `batch` records per transaction (at most the
 * server's batch limit). A record whose text the model cannot read (a language it does not read, or a text over the
 * length limit) keeps its old vector and is reported.
 */
export async function reembedMemory(
  ctx: ToolContext,
  opts: { batch: number; onBatch?: (p: ReembedProgress) => void },
): Promise<ReembedResult> {
  const memory = memoryFor(ctx);
  const { embedder } = await memoryEmbedder(ctx);
  const model = embedder.sha256;
  const batch = Math.max(1, Math.min(opts.batch, ctx.services.limits.maxBatchTexts));
  const out: ReembedResult = { model, total: memory.stats(model).other_model, reembedded: 0, skipped: 0, left: [] };
  const leave = (id: number, reason: string) => {
    out.skipped++;
    if (out.left.length < LISTED) out.left.push({ id, reason });
  };
  // records left as they were stay "other model": the cursor moves past them instead of listing them again
  for (let after = 0; ;) {
    throwIfCancelled(ctx.signal);
    const records = memory.otherModel(model, batch, after);
    if (records.length === 0) break;
    after = records[records.length - 1].id;
    const why = new Map<number, string>(); // records left as they were, reported in id order
    const readable = records.filter((r) => {
      const n = textLength(r.text);
      if (n <= ctx.services.limits.maxTextChars) return true;
      why.set(r.id, `${n} characters; the limit is ${ctx.services.limits.maxTextChars} (--max-text-chars)`);
      return false;
    });
    const { outcomes } = await embedEach(
      ctx,
      readable.map((r) => ({ name: `record #${r.id}`, text: r.text })),
    );
    const items: Array<{ id: number; vector: Int8Array }> = [];
    outcomes.forEach((o, i) => {
      if ('error' in o) return void why.set(readable[i].id, o.error.message);
      try {
        items.push({ id: readable[i].id, vector: quantize(o.vector) });
      } catch (err) {
        why.set(readable[i].id, (err as Error).message);
      }
    });
    for (const r of records) if (why.has(r.id)) leave(r.id, why.get(r.id) as string);
    throwIfCancelled(ctx.signal);
    out.reembedded += items.length ? memory.replaceVectors(items, model) : 0;
    opts.onBatch?.({ total: out.total, reembedded: out.reembedded, skipped: out.skipped });
  }
  return out;
}
