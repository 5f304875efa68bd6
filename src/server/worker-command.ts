// `red-heart-mcp worker --queue redis://host:port [--models-dir … --model … --provider … --threads …]`: a process that
// reads analyze_corpus chunks from the job queue (src/server/corpus/queue-worker.ts) with its own model, on any
// machine that reaches the Redis. Exit status: 0 after SIGTERM/SIGINT (the chunk in hand finished first), 1 when the
// model cannot load or Redis cannot be reached at start (the message says which and why), 2 for a bad setting.
import { createEngineHandle } from '../engine/handle.js';
import type { AppConfig } from './config.js';
import { probeRedis } from './corpus/queue.js';
import { startCorpusWorker } from './corpus/queue-worker.js';
import { createLogger } from './logging.js';

export async function runWorkerCommand(config: AppConfig): Promise<number> {
  const say = (m: string) => process.stderr.write(`red-heart-mcp worker: ${m}\n`);
  const { url } = config.queue;
  if (!url) {
    say('needs --queue redis://host:port (or RED_HEART_QUEUE): the Redis of the servers whose corpus calls it serves');
    return 2;
  }
  const logger = createLogger(config.logLevel);
  let worker;
  try {
    await probeRedis({ url, password: config.queue.password }, Math.min(config.queue.timeoutMs, 5000)); // before the model loads
    const handle = await createEngineHandle({ ...config, loadMode: 'eager', onModelError: 'exit' }, logger);
    const engine = handle.requireBulk ? await handle.requireBulk() : await handle.require();
    worker = await startCorpusWorker({ ...config.queue, url }, engine, logger);
  } catch (err) {
    say((err as Error).message);
    return 1;
  }
  const running = worker;
  return new Promise<number>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) process.exit(1); // a second signal: at once
      closing = true;
      logger.info({ signal, worker: running.name }, 'corpus worker stopping after the chunk in hand');
      running.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
