// The server proper, started by cli.ts once the settings are read: logging to stderr, the engine, the result cache,
// and the transport: stdio (default) or Streamable HTTP (`--http [host:]port`). SIGTERM/SIGINT shut down gracefully:
// new calls are refused, running ones get RED_HEART_SHUTDOWN_GRACE_MS to finish and are then answered "cancelled",
// the cache is flushed, and the process exits 0. A second signal exits at once.
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { ResultCache } from './cache/result-cache.js';
import { AnalysisMemo } from '../engine/memo.js';
import { createEngineHandle } from '../engine/handle.js';
import { ConfigError, exitOnConfigError, type AppConfig } from './config.js';
import { healthFields } from './health.js';
import { LimitedStdioTransport } from './stdio-transport.js';
import { createLogger } from './logging.js';
import { sharedMemoryStore } from './memory/store.js';
import { InFlightTracker } from './shutdown.js';
import type { Logger } from 'pino';
import { SnapshotRecorder, type EarlyStdio, type StartSnapshot } from './start-snapshot.js';
import { VERSION } from './version.js';

/** The stdio start-up snapshot in use: what answered early (if anything) and where the real answers are recorded. */
export interface StdioStart {
  early: EarlyStdio | null;
  snapshot: { path: string; key: string; previous: StartSnapshot | null } | null;
}

export async function runServer(config: AppConfig, tokens: string[], stdio: StdioStart): Promise<void> {
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

  // The SDK and the tools (about 0.3 s of module loading) while the snapshot, if any, has answered `initialize`.
  const { createServer } = await import('./server.js');

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
  // Until a transport is up there is nothing to drain.
  let stop: (graceMs: number) => Promise<{ finished: number; cancelled: number }> = () =>
    Promise.resolve({ finished: 0, cancelled: 0 });
  // The handlers are in place before the server says it is ready: a supervisor that signals as soon as it reads
  // "ready" must get a clean shutdown, not the default action of a signal (exit 143 before the handler existed).
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
        exitOnConfigError(err);
      }
      logger.fatal({ err }, 'cannot listen');
      process.stderr.write(
        `red-heart-mcp: cannot listen on ${config.http.listen.host}:${config.http.listen.port}: ${(err as Error).message}\n`,
      );
      process.exit(1);
    }
    stop = (graceMs) => http.close(graceMs);
  } else {
    const transport = stdioTransport(config, stdio, logger);
    const tracker = new InFlightTracker();
    await root.mcp.connect(transport);
    stdio.early?.stop(); // the real server answers from here on
    tracker.track(transport);
    stop = (graceMs) => tracker.drain(graceMs);
    (stdio.early?.input ?? process.stdin).on('end', () => void shutdown('stdin closed'));
    logger.info(
      { version: VERSION, modelsDir: config.modelsDir, cache: config.cache.backend },
      'red-heart-mcp ready on stdio',
    );
  }
}

/** The stdio transport reading what the early reader passes on, dropping what it answered, recording the answers. */
function stdioTransport(config: AppConfig, stdio: StdioStart, logger: Logger): LimitedStdioTransport {
  const { early, snapshot } = stdio;
  const recorder = snapshot
    ? new SnapshotRecorder(
        snapshot.path,
        snapshot.key,
        { versions: SUPPORTED_PROTOCOL_VERSIONS, latest: LATEST_PROTOCOL_VERSION },
        snapshot.previous,
        {
          stale: () => logger.warn({ path: snapshot.path }, 'the start-up snapshot differed from the answer; replaced'),
          error: (err) => logger.debug({ err, path: snapshot.path }, 'start-up snapshot not written'),
        },
      )
    : null;
  return new LimitedStdioTransport(config.maxMessageBytes, early?.input ?? process.stdin, process.stdout, {
    incoming: (m) => recorder?.incoming(m),
    outgoing: (m) => {
      recorder?.outgoing(m);
      if (!early?.dropResponse(m)) return true;
      logger.debug({ id: (m as { id?: unknown }).id }, 'answered from the start-up snapshot; the same answer dropped');
      return false;
    },
  });
}
