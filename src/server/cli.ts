#!/usr/bin/env node
// Entry point: configuration, logging to stderr, the engine, and the transport: stdio (default) or
// Streamable HTTP (`--http [host:]port`). SIGTERM/SIGINT shut down gracefully: new calls are refused,
// running ones get RED_HEART_SHUTDOWN_GRACE_MS to finish and are then answered "cancelled", the cache
// is flushed, and the process exits 0. A second signal exits at once.
import { readFileSync } from 'node:fs';
import { ResultCache } from './cache/result-cache.js';
import { AnalysisMemo } from '../engine/memo.js';
import { createEngineHandle } from '../engine/handle.js';
import { loadTokens } from './auth.js';
import { ConfigError, helpText, loadConfig } from './config.js';
import { runGpuCommand } from './gpu-command.js';
import { runWorkerCommand } from './worker-command.js';
import { healthFields } from './health.js';
import { LimitedStdioTransport } from './stdio-transport.js';
import { createLogger } from './logging.js';
import { sharedMemoryStore } from './memory/store.js';
import { relaunchForCuda } from './relaunch.js';
import { createServer } from './server.js';
import { InFlightTracker } from './shutdown.js';
import { VERSION } from './version.js';

function configFailure(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`red-heart-mcp: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'gpu') {
    process.exitCode = await runGpuCommand(process.argv.slice(3));
    return;
  }
  if (process.argv[2] === 'memory' && process.argv[3] === 'reembed') {
    // red-heart-mcp memory reembed: records of another model get the loaded model's embedding (needs the model)
    const { reembedCommand } = await import('./memory/reembed-command.js');
    process.exit(await reembedCommand(process.argv.slice(4)));
  }
  if (process.argv[2] === 'memory') {
    // red-heart-mcp memory export|import: moves the experience memory as JSON Lines (no server, no model);
    // the store (and its native search module) loads only for this command or a server started with --memory
    const { MemoryStore } = await import('./memory/store.js');
    const { memoryCommand } = await import('./memory/transfer.js');
    try {
      process.exit(await memoryCommand(process.argv.slice(3), (p) => MemoryStore.open(p)));
    } catch (err) {
      process.stderr.write(`red-heart-mcp: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const worker = process.argv[2] === 'worker';
  let parsed;
  try {
    parsed = loadConfig(process.argv.slice(worker ? 3 : 2));
  } catch (err) {
    configFailure(err);
  }
  if (parsed.help) {
    process.stderr.write(`${helpText()}\n`);
    return;
  }
  if (parsed.version) {
    process.stderr.write(`${VERSION}\n`);
    return;
  }
  const { config } = parsed;
  if (await relaunchForCuda(config.provider, (msg) => process.stderr.write(`red-heart-mcp: ${msg}\n`))) return;
  let tokens: string[] = [];
  try {
    if (config.http.listen) tokens = loadTokens(config.http);
    if (config.cache.passwordFile)
      config.cache.password = readSecretFile(config.cache.passwordFile, '--redis-password-file');
    if (config.queue.passwordFile)
      config.queue.password = readSecretFile(config.queue.passwordFile, '--queue-password-file');
  } catch (err) {
    configFailure(err);
  }
  if (worker) {
    // the engine's threads would keep the process alive after the worker has closed
    process.exit(await runWorkerCommand(config));
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));

  let engine;
  try {
    engine = await createEngineHandle(config, logger);
  } catch (err) {
    // An explicit provider that cannot load, or a broken model with --load eager --on-model-error exit, stops start-up.
    logger.fatal({ err }, 'engine start-up failed');
    process.stderr.write(`red-heart-mcp: ${(err as Error).message}\n`);
    process.exit(1);
  }

  // The experience memory (off unless --memory): a store another server holds, or a damaged one, stops start-up.
  if (config.memory) {
    try {
      sharedMemoryStore(config.memory);
    } catch (err) {
      logger.fatal({ err }, 'memory store unavailable');
      process.stderr.write(`red-heart-mcp: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }

  // One cache, one model-output memo and one engine for the whole process, whichever transport.
  const cache = new ResultCache(config.cache, logger);
  const memo = new AnalysisMemo();
  const startedAt = Date.now();
  const root = createServer({ config, logger, engine, cache, memo, startedAt });
  let stop: (graceMs: number) => Promise<{ finished: number; cancelled: number }>;

  if (config.http.listen) {
    let http;
    try {
      // Imported here: a stdio server does not load the HTTP transport.
      const { startHttpServer } = await import('./http.js');
      http = await startHttpServer({
        config,
        logger,
        tokens,
        createMcp: () => createServer({ config, logger, engine, cache, memo, startedAt }).mcp,
        health: () => healthFields(config, root.status()),
      });
    } catch (err) {
      if (err instanceof ConfigError) {
        logger.fatal({ err: err.message }, 'refusing to start');
        configFailure(err);
      }
      logger.fatal({ err }, 'cannot listen');
      process.stderr.write(
        `red-heart-mcp: cannot listen on ${config.http.listen.host}:${config.http.listen.port}: ${(err as Error).message}\n`,
      );
      process.exit(1);
    }
    stop = (graceMs) => http.close(graceMs);
  } else {
    const transport = new LimitedStdioTransport(config.maxMessageBytes);
    const tracker = new InFlightTracker();
    await root.mcp.connect(transport);
    tracker.track(transport);
    stop = (graceMs) => tracker.drain(graceMs);
    process.stdin.on('end', () => void shutdown('stdin closed'));
    logger.info(
      { version: VERSION, modelsDir: config.modelsDir, cache: config.cache.backend },
      'red-heart-mcp ready on stdio',
    );
  }

  let closing = false;
  async function shutdown(signal: string): Promise<void> {
    if (closing) {
      if (signal !== 'stdin closed') {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      return;
    }
    closing = true;
    const started = Date.now();
    logger.info(
      { signal, graceMs: config.shutdownGraceMs },
      'shutting down: refusing new calls, letting running ones finish',
    );
    try {
      const { finished, cancelled } = await stop(config.shutdownGraceMs);
      await root.close(); // closes the MCP server, the engine, and flushes the cache
      logger.info({ finished, cancelled, ms: Date.now() - started, cache: cache.snapshot() }, 'shut down cleanly');
    } catch (err) {
      logger.error({ err }, 'error while shutting down');
    }
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The first line of a secret file (the Redis password), without its line ending. */
function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${flag} '${path}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const secret = text.split(/\r?\n/)[0];
  if (!secret) throw new ConfigError(`${flag} '${path}' is empty`);
  return secret;
}

void main();
