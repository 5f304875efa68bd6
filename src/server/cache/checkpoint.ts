// Runs the result store's WAL checkpoints (the only step that fsyncs) in a worker thread, so no response waits
// for the disk. The worker opens its own connection to the same file and checkpoints every `everyMs`.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { workerScript } from '../../engine/workers/script.js';

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, logger: Logger | undefined, onDeath: () => void, everyMs = 1000): Checkpointer {
  const worker = new Worker(workerScript(import.meta.url, 'checkpoint-worker.js'), { workerData: { path, everyMs } });
  worker.unref();
  let stopping = false;
  worker.on('error', (err) => logger?.warn({ err: err.message }, 'cache checkpoint worker failed; checkpoints now run inline'));
  worker.on('exit', () => {
    if (!stopping) onDeath();
  });
  return {
    async stop() {
      stopping = true;
      await worker.terminate();
    },
  };
}
