#!/usr/bin/env node
// Entry point: subcommands, the settings, and then the server (run-server.ts). Only what reading the settings needs is
// loaded before a stdio server starts reading stdin, so a start-up snapshot (start-snapshot.ts) answers `initialize`
// while the SDK, the tools and the engine load.
import { readFileSync } from 'node:fs';
import { ConfigError, exitOnConfigError, helpText, loadConfig, type AppConfig } from './config.js';
import { relaunchForCuda } from './relaunch.js';
import { EarlyStdio, readSnapshot, snapshotKey, snapshotPath } from './start-snapshot.js';
import type { StdioStart } from './run-server.js';
import { VERSION } from './version.js';

async function main(): Promise<void> {
  if (process.argv[2] === 'gpu') {
    const { runGpuCommand } = await import('./gpu-command.js');
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
    exitOnConfigError(err);
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
    if (config.http.listen) {
      const { loadTokens } = await import('./auth.js');
      tokens = loadTokens(config.http);
    }
    if (config.cache.passwordFile)
      config.cache.password = readSecretFile(config.cache.passwordFile, '--redis-password-file');
    if (config.queue.passwordFile)
      config.queue.password = readSecretFile(config.queue.passwordFile, '--queue-password-file');
  } catch (err) {
    exitOnConfigError(err);
  }
  if (worker) {
    // the engine's threads would keep the process alive after the worker has closed
    const { runWorkerCommand } = await import('./worker-command.js');
    process.exit(await runWorkerCommand(config));
  }
  const stdio: StdioStart = config.http.listen ? { early: null, snapshot: null } : startStdio(config);
  await stdio.early?.handshakeServed();
  const { runServer } = await import('./run-server.js');
  await runServer(config, tokens, stdio);
}

/** Starts reading stdin at once; with a snapshot for these settings, `initialize` and `tools/list` are answered now. */
function startStdio(config: AppConfig): StdioStart {
  const path = snapshotPath(config);
  if (!path) return { early: null, snapshot: null }; // the transport reads stdin itself once the server is up
  const key = snapshotKey(config);
  const previous = readSnapshot(path, key);
  return { early: new EarlyStdio(previous, config.maxMessageBytes), snapshot: { path, key, previous } };
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
