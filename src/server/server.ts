// createServer(): an McpServer with the tools, prompts (prompts.ts) and resources (resources.ts), independent of transport.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import type { EngineHandle } from '../engine/handle.js';
import { AnalysisMemo, memoizedHandle } from '../engine/memo.js';
import { ResultCache } from './cache.js';
import type { AppConfig } from './config.js';
import { createCorpusFiles } from './corpus/files.js';
import { registerPrompts } from './prompts.js';
import { registerTools } from './registry.js';
import { registerResources, STATUS_URI, docUri } from './resources.js';
import { VERSION } from './version.js';
import { registerViews } from './views.js';
import { sharedMemoryStore } from './memory/store.js';
import type { MemoryService } from '../tools/memory-service.js';

export interface ServerDeps {
  config: AppConfig;
  logger: Logger;
  engine: EngineHandle;
  cache?: ResultCache;
  /** Shared model-output memo; pass one to share it between several McpServer instances (HTTP). */
  memo?: AnalysisMemo;
  /** The experience memory (default: the process's store at config.memory, when set). */
  memory?: MemoryService;
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

export function createServer(deps: ServerDeps): RedHeartServer {
  const { config, logger } = deps;
  const cache = deps.cache ?? new ResultCache(config.cache, logger);
  const memo = deps.memo ?? new AnalysisMemo();
  const engine = memoizedHandle(deps.engine, memo);
  const startedAt = deps.startedAt ?? Date.now();
  const mcp = new McpServer(
    { name: 'red-heart-mcp', version: VERSION },
    {
      capabilities: { logging: {} },
      instructions:
        'Text and data analysis tools: analyze_emotion (emotions of English/Korean text), bentham_score (felicific calculus), ' +
        'regret_forecast (decision regret over options × scenarios), surd_decompose (causal SURD decomposition of time series), ' +
        'full_analysis (all of them on one text), analyze_corpus (a whole CSV/TSV/JSONL/text file in an allowed directory, ' +
        'aggregated, with a JSONL and an HTML report). Every number comes from an exact formula or the shipped model; ' +
        `read ${STATUS_URI} for the loaded model and cache state, and ${docUri('<tool>')} for how a tool computes its numbers.`,
    },
  );
  const memory = deps.memory ?? (config.memory ? sharedMemoryStore(config.memory) : undefined);
  registerTools(mcp, { services: { limits: config.limits, engine, files: createCorpusFiles(config.dataDirs), ...(memory ? { memory } : {}) }, cache, logger });
  registerViews(mcp);

  const status = () => ({
    name: 'red-heart-mcp',
    version: VERSION,
    uptime_s: Math.round((Date.now() - startedAt) / 1000),
    engine: engine.status(),
    cache: cache.snapshot(),
    analysis_memo: memo.stats(),
    limits: config.limits,
    memory: memory ? memorySummary(memory) : { enabled: false },
  });

  registerResources(mcp, { status, modelsDir: config.modelsDir, memory: memory ? () => memorySummary(memory) : undefined });
  registerPrompts(mcp);

  return {
    mcp,
    cache,
    status,
    async close() {
      await mcp.close().catch(() => {});
      await engine.close?.().catch(() => {});
      await cache.close();
    },
  };
}

/** What red-heart://memory and the status show: counts, the file and its size, and how to erase it. */
export function memorySummary(memory: MemoryService): Record<string, unknown> {
  return {
    enabled: true,
    ...memory.stats(),
    erase: `forget (by id, tag or time), or stop the server and delete ${memory.path} with its -wal and -shm files`,
  };
}
