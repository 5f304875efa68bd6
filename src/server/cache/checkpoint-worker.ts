// Worker thread: checkpoints the result store's WAL into the main file every `everyMs` (see checkpoint.ts).
// PASSIVE never blocks the server's readers or its writer; SQLITE_BUSY (another process checkpointing) is retried
// next round.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next round tries again
  }
}, everyMs);
