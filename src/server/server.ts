// createServer(): an McpServer with the tools, prompts (prompts.ts) and resources (resources.ts), independent of transport.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import type { EngineHandle } from '../engine/handle.js';
import { AnalysisMemo, memoizedHandle } from '../engine/memo.js';
import { loadLanguageDetector } from '../engine/language.js';
import { ResultCache } from './cache/result-cache.js';
import { tokenSigner } from './cache/secret.js';
import type { AppConfig } from './config.js';
import { createCorpusFiles } from './corpus/files.js';
import { registerPrompts } from './prompts.js';
import { registerTools } from './registry.js';
import { registerSchemaResource, servedModel, serveToolList, serverInstructions } from './tool-list.js';
import { registerResources, STATUS_URI, docUri } from './resources.js';
import { VERSION } from './version.js';
import { registerViews } from './views.js';
import { surdWorkerHealth } from '../tools/surd-runner.js';
import { sharedMemoryStore } from './memory/store.js';
import { sharedCorpusQueue, type BullCorpusQueue } from './corpus/queue.js';
import type { MemoryService } from '../tools/memory-service.js';
import { REEMBED_COMMAND } from '../tools/memory-input.js';

export interface ServerDeps {
  config: AppConfig;
  logger: Logger;
  engine: EngineHandle;
  cache?: ResultCache;
  /** Shared model-output memo; pass one to share it between several McpServer instances (HTTP). */
  memo?: AnalysisMemo;
  /** The experience memory (default: the process's store at config.memory, when set). */
  memory?: MemoryService;
  /** analyze_corpus's job queue (default: the process's queue for config.queue, when --queue is set). */
  queue?: BullCorpusQueue;
  /** Process start (ms since epoch) for uptime; HTTP creates a server per request, so it passes one value. */
  startedAt?: number;
}

export interface RedHeartServer {
  mcp: McpServer;
  cache: ResultCache;
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

export { STATUS_URI } from './resources.js';

/** How long after `notifications/initialized` the model starts loading when no call has started it. */
const BACKGROUND_LOAD_DELAY_MS = 100;

export function createServer(deps: ServerDeps): RedHeartServer {
  const { config, logger } = deps;
  const cache = deps.cache ?? new ResultCache(config.cache, logger);
  const memo = deps.memo ?? new AnalysisMemo();
  const engine = memoizedHandle(deps.engine, memo);
  const startedAt = deps.startedAt ?? Date.now();
  // The manifest's facts (languages, heads) for the instructions and tools/list: a JSON read, no model load.
  const served = servedModel(config);
  const mcp = new McpServer(
    { name: 'red-heart-mcp', version: VERSION },
    {
      capabilities: { logging: {} },
      instructions: serverInstructions(served, STATUS_URI, docUri),
    },
  );
  // Tokens handed out (conversation state) are signed with the cache's installation secret (cache/secret.ts).
  const signer = tokenSigner(cache.secret);
  const memory = deps.memory ?? (config.memory ? sharedMemoryStore(config.memory) : undefined);
  const queue = deps.queue ?? corpusQueueOf(config, logger);
  registerTools(mcp, {
    services: {
      limits: config.limits,
      engine,
      files: createCorpusFiles(config.dataDirs),
      signer,
      ...(memory ? { memory } : {}),
      ...(queue ? { corpusQueue: queue } : {}),
    },
    cache,
    logger,
  });
  serveToolList(mcp, () => served, !!memory);
  // After `initialize` (never before it, so the handshake is not delayed): the language detector and the model start
  // loading in the background, so the first text call does not wait for both in turn. They start a moment later, so
  // the list requests a host sends right after the handshake (tools, prompts, resources) are not held up by the
  // loading's main-thread work; a text call that comes first starts the load itself. A model that cannot load is
  // reported by that call (model_missing) and in red-heart://status.
  mcp.server.oninitialized = () => {
    setTimeout(() => {
      void loadLanguageDetector();
      // with memory on, the loaded model's search matrix is read once the model is there, not at the first recall
      if (served)
        engine
          .require()
          .then((e) => e.embedder && memory?.prepare?.(e.embedder.sha256, e.embedder.dim))
          .catch(() => {});
    }, BACKGROUND_LOAD_DELAY_MS).unref();
  };
  registerViews(mcp);

  const status = () => ({
    name: 'red-heart-mcp',
    version: VERSION,
    uptime_s: Math.round((Date.now() - startedAt) / 1000),
    engine: engine.status(),
    workers: { surd: surdWorkerHealth() },
    cache: cache.snapshot(),
    analysis_memo: memo.stats(),
    limits: config.limits,
    memory: memory ? memorySummary(memory) : { enabled: false },
    ...(queue ? { corpus_queue: queue.status() } : {}),
  });

  registerResources(mcp, {
    status,
    modelsDir: config.modelsDir,
    memory: memory ? () => memorySummary(memory) : undefined,
  });
  registerSchemaResource(mcp);
  registerPrompts(mcp);

  return {
    mcp,
    cache,
    status,
    async close() {
      await mcp.close().catch(() => {});
      await engine.close?.().catch(() => {});
      await queue?.close();
      await cache.close();
    },
  };
}

/** The shared queue when --queue is set (the password read from its file by the CLI). */
function corpusQueueOf(config: AppConfig, logger: Logger): BullCorpusQueue | undefined {
  const q = config.queue;
  if (!q.url) return undefined;
  return sharedCorpusQueue({ ...q, url: q.url }, logger);
}

/**
 * What red-heart://memory and the status show: counts, the file and its size, how to erase it, and, when records
 * of another model are there, how to re-embed them (other_model counts against the loaded model; model is null and
 * other_model 0 until the model has loaded).
 */
export function memorySummary(memory: MemoryService): Record<string, unknown> {
  const stats = memory.stats();
  return {
    enabled: true,
    ...stats,
    erase: `forget (by id, tag or time), or stop the server and delete ${memory.path} with its -wal and -shm files`,
    ...(stats.other_model
      ? {
          reembed:
            `${stats.other_model} ${stats.other_model === 1 ? 'record was' : 'records were'} embedded by another ` +
            `model and ${stats.other_model === 1 ? 'is' : 'are'} not searched: stop the server and run ` +
            `${REEMBED_COMMAND.replace('PATH', shellWord(memory.path))}`,
        }
      : {}),
  };
}

/** A path as one shell word: as it is when it needs no quoting, else in single quotes. */
function shellWord(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
