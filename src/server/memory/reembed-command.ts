// `red-heart-mcp memory reembed --memory PATH [--batch N] [model options]`: gives every record made with another
// model the loaded model's embedding of its stored text (src/tools/memory-reembed.ts), a batch per transaction,
// with progress on stderr. The model is chosen by the server's own options (--models-dir, --provider, …); the store
// is locked like a server's, so run it while no server holds the file. SIGINT/SIGTERM stop it after the batch in
// hand; running it again goes on with the records that are left.
import pino from 'pino';
import { createEngineHandle } from '../../engine/handle.js';
import { MAX_BATCH_TEXTS } from '../../core/limits.js';
import { reembedMemory } from '../../tools/memory-reembed.js';
import { uncachedContext } from '../../tools/types.js';
import { ConfigError, loadConfig } from '../config.js';
import { relaunchForCuda } from '../relaunch.js';
import { MemoryStore } from './store.js';

export const REEMBED_USAGE = [
  'usage: red-heart-mcp memory reembed --memory PATH [--batch N] [server options that choose the model]',
  '  re-embeds every record made with another model with the loaded model (the text is stored), N records',
  `  per transaction (default and most: ${MAX_BATCH_TEXTS}, or --max-batch-texts); PATH may come from RED_HEART_MEMORY;`,
  "  the model options are the server's (--models-dir, --provider, --threads, …; see red-heart-mcp --help)",
].join('\n');

/** Runs the command; returns the exit code (0 done, 1 failed, 2 usage, 130 interrupted: run it again to go on). */
export async function reembedCommand(
  argv: string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  const at = argv.indexOf('--batch');
  const batchArg = at >= 0 ? argv[at + 1] : String(MAX_BATCH_TEXTS);
  const batch = Number(batchArg);
  const rest = at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv;
  if (!/^\d+$/.test(batchArg ?? '') || batch < 1 || batch > MAX_BATCH_TEXTS) {
    err(`red-heart-mcp memory reembed: --batch takes 1..${MAX_BATCH_TEXTS}\n${REEMBED_USAGE}`);
    return 2;
  }
  let config;
  try {
    const parsed = loadConfig(rest);
    if (parsed.help) {
      err(REEMBED_USAGE);
      return 0;
    }
    config = parsed.config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`red-heart-mcp memory reembed: ${e.message}\n${REEMBED_USAGE}`);
    return 2;
  }
  if (!config.memory) {
    err(`red-heart-mcp memory reembed: no store given\n${REEMBED_USAGE}`);
    return 2;
  }
  if (await relaunchForCuda(config.provider, (m) => err(`red-heart-mcp: ${m}`))) return 0;
  const logger = pino(
    { level: config.logLevel === 'info' ? 'warn' : config.logLevel },
    pino.destination({ dest: 2, sync: true }),
  );
  let store: MemoryStore;
  try {
    store = MemoryStore.open(config.memory);
  } catch (e) {
    err(`red-heart-mcp memory reembed: ${(e as Error).message}`);
    return 1;
  }
  let engine;
  try {
    engine = await createEngineHandle(config, logger);
  } catch (e) {
    store.close();
    err(`red-heart-mcp memory reembed: ${(e as Error).message}`);
    return 1;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const ctx = uncachedContext({
      requestId: 'reembed',
      signal: abort.signal,
      logger,
      progress: async () => {},
      services: { limits: config.limits, engine, memory: store },
    });
    const started = Date.now();
    const r = await reembedMemory(ctx, {
      batch: Math.min(batch, config.limits.maxBatchTexts),
      onBatch: (p) =>
        err(`re-embedded ${p.reembedded} of ${p.total} records${p.skipped ? ` (${p.skipped} left as they were)` : ''}`),
    });
    err(
      `${store.path}: ${r.reembedded} of ${r.total} records from other models re-embedded with model ` +
        `${r.model.slice(0, 12)} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (r.skipped ? `; ${r.skipped} left as they were (not searched):\n${leftList(r)}` : ''),
    );
    return 0;
  } catch (e) {
    if (abort.signal.aborted) {
      err('red-heart-mcp memory reembed: interrupted; every batch committed so far is kept: run it again to go on');
      return 130;
    }
    err(`red-heart-mcp memory reembed: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    store.close();
    await engine.close();
  }
}

/** The records left as they were, one per line (the first ones listed, then how many more). */
function leftList(r: { skipped: number; left: ReadonlyArray<{ id: number; reason: string }> }): string {
  const more = r.skipped > r.left.length ? `\n  … and ${r.skipped - r.left.length} more` : '';
  return r.left.map((l) => `  #${l.id}: ${l.reason}`).join('\n') + more;
}
