// Several ONNX Runtime sessions of one model, each in its own worker thread, served as one SessionLike.
// onnxruntime-node runs a session synchronously on its thread, and a window of ~25 tokens gains nothing from a
// second intra-op thread (measured: batch-1 p50 5.22 ms with 2 threads vs 5.32 ms with 1), so on a CPU the engine
// runs one single-threaded session per core instead of one session spread over all cores: concurrent windows then
// run side by side (docs/engine.md, "Inference sessions"). Each session has the same graph and options apart from
// the thread count, which does not change a single output bit (test/engine/ort-worker.test.ts).
// A run goes to the usable session with the fewest runs pending. The first session is created (and checked) by
// open-session.ts before the engine is ready; the others are added in the background, so they do not delay the
// first answer, and the pool serves with the ones it has until then.
import type ort from 'onnxruntime-node';
import { combinedHealth, type WorkerHealth } from './crash-window.js';
import type { RawTensor, SessionLike } from './ort-session.js';

export interface PoolInfo {
  /** Sessions the pool is meant to have. */
  planned: number;
  /** Sessions created so far. */
  ready: number;
  /** Why the pool has fewer sessions than planned (null when none failed). */
  error: string | null;
  /** Runs each session has served (started), in creation order. */
  runs: number[];
}

export class SessionPool implements SessionLike {
  private readonly sessions: SessionLike[];
  private readonly pending: number[];
  private readonly runs: number[];
  private released = false;
  private growError: string | null = null;
  private growing: Promise<void> = Promise.resolve();

  constructor(
    first: SessionLike,
    private readonly planned: number,
  ) {
    this.sessions = [first];
    this.pending = [0];
    this.runs = [0];
  }

  get inputNames(): readonly string[] {
    return this.sessions[0].inputNames;
  }

  get outputNames(): readonly string[] {
    return this.sessions[0].outputNames;
  }

  /**
   * Creates the remaining sessions one after another, in the background (`create` makes one). A failure stops the
   * growth and is reported by `info().error`; the sessions already made keep serving.
   */
  grow(create: () => Promise<SessionLike>): Promise<void> {
    this.growing = (async () => {
      while (!this.released && this.sessions.length < this.planned) {
        let s: SessionLike;
        try {
          s = await create();
        } catch (err) {
          this.growError =
            `inference session ${this.sessions.length + 1} of ${this.planned} could not be created: ` +
            `${(err as Error).message}`;
          return;
        }
        if (this.released) {
          await s.release().catch(() => {});
          return;
        }
        this.sessions.push(s);
        this.pending.push(0);
        this.runs.push(0);
      }
    })();
    return this.growing;
  }

  info(): PoolInfo {
    return { planned: this.planned, ready: this.sessions.length, error: this.growError, runs: [...this.runs] };
  }

  /** Settles when the growth started by `grow` has ended (all sessions made, or one failed). */
  grown(): Promise<void> {
    return this.growing;
  }

  async run(feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<Record<string, RawTensor>> {
    const i = this.pick();
    this.pending[i]++;
    this.runs[i]++;
    try {
      return await this.sessions[i].run(feeds, fetches);
    } finally {
      this.pending[i]--;
    }
  }

  async release(): Promise<void> {
    this.released = true;
    await this.growing;
    await Promise.all(this.sessions.map((s) => s.release().catch(() => {})));
  }

  /** The sessions' supervision summed (a session failed for good makes the pool report failed). */
  health(): WorkerHealth {
    return combinedHealth(this.sessions.map((s) => s.health?.()).filter((h): h is WorkerHealth => h !== undefined));
  }

  /** The session with the fewest runs pending, among those not failed for good (any, when all have failed). */
  private pick(): number {
    let best = -1;
    for (let i = 0; i < this.sessions.length; i++) {
      if (this.sessions[i].health?.().failed) continue;
      if (best < 0 || this.pending[i] < this.pending[best]) best = i;
    }
    return best < 0 ? 0 : best;
  }
}
