// Worker thread: the result store's writer. Commits the batches the store posts (sqlite-db.ts applyBatch) and
// checkpoints the WAL into the main file (the only step that fsyncs), so neither ever runs on the event loop.
// Replies { id, ok: true, evictions, expired } | { id, ok: false, busy: true } | { id, ok: false, error }.
import { parentPort, workerData } from 'node:worker_threads';
import { applyBatch, connect, describeError, isBusy, statements, type Batch, type Bounds } from './sqlite-db.js';

const port = parentPort!;
const { path, bounds, checkpointMs } = workerData as { path: string; bounds: Bounds; checkpointMs: number };
const db = connect(path, false);
const st = statements(db);

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // another process is checkpointing: the next round tries again
  }
}
const timer = setInterval(checkpoint, checkpointMs);

port.on('message', (m: { id: number; op: 'batch'; batch: Batch } | { id: number; op: 'close' }) => {
  if (m.op === 'close') {
    clearInterval(timer);
    checkpoint();
    db.close();
    port.postMessage({ id: m.id, ok: true, evictions: 0, expired: 0 });
    return;
  }
  try {
    const r = applyBatch(db, st, m.batch, bounds);
    port.postMessage({ id: m.id, ok: true, ...r });
  } catch (err) {
    if (isBusy(err)) port.postMessage({ id: m.id, ok: false, busy: true });
    else port.postMessage({ id: m.id, ok: false, error: describeError(err) });
  }
});
