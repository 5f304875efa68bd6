#!/usr/bin/env node
// Entry point: configuration, logging to stderr, the engine, and the stdio transport.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createEngineHandle } from '../engine/handle.js';
import { ConfigError, helpText, loadConfig } from './config.js';
import { createLogger } from './logging.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`red-heart-mcp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
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
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));

  let engine;
  try {
    engine = await createEngineHandle(config, logger);
  } catch (err) {
    // An explicit provider that cannot load, or a broken manifest with eager loading, stops start-up.
    logger.fatal({ err }, 'engine start-up failed');
    process.stderr.write(`red-heart-mcp: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const server = createServer({ config, logger, engine });
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.stdin.on('end', () => void shutdown('stdin closed'));
  await server.mcp.connect(transport);
  logger.info({ version: VERSION, modelsDir: config.modelsDir, cache: config.cache.backend }, 'red-heart-mcp ready on stdio');
}

void main();
