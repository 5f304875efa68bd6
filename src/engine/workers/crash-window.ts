// Supervision bookkeeping shared by the inference worker (ort-session.ts) and the SURD pool (pool.ts): every
// crash is counted; a crashed worker is replaced, but once `limit` crashes fall within `windowMs` the component is
// marked failed for good (a model or machine that kills its worker every few seconds would otherwise restart
// forever while health says ready). Health and red-heart://status read `health()`.

/** Crashes within the window that mark a component failed. */
export const WORKER_CRASH_LIMIT = 3;
/** The window those crashes must fall in. */
export const WORKER_CRASH_WINDOW_MS = 60_000;

export interface WorkerHealth {
  /** Crashes since start. */
  crashes: number;
  /** Replacement workers started after a crash. */
  restarts: number;
  /** What the last crash was (null when none). */
  last_crash: string | null;
  /** Why the component gave up (null while it is healthy). */
  failed: string | null;
}

/** Several workers' supervision as one: crashes and restarts summed, the last crash, the first reason to give up. */
export function combinedHealth(all: readonly WorkerHealth[]): WorkerHealth {
  return {
    crashes: all.reduce((n, h) => n + h.crashes, 0),
    restarts: all.reduce((n, h) => n + h.restarts, 0),
    last_crash:
      all
        .map((h) => h.last_crash)
        .filter((c) => c !== null)
        .at(-1) ?? null,
    failed: all.map((h) => h.failed).find((f) => f !== null) ?? null,
  };
}

export class CrashWindow {
  private readonly times: number[] = [];
  private readonly state: WorkerHealth = { crashes: 0, restarts: 0, last_crash: null, failed: null };

  constructor(
    private readonly what: string,
    private readonly limit = WORKER_CRASH_LIMIT,
    private readonly windowMs = WORKER_CRASH_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; returns true when this one marks the component failed (no replacement should start). */
  record(reason: string): boolean {
    const t = this.now();
    this.state.crashes++;
    this.state.last_crash = reason;
    this.times.push(t);
    while (this.times.length > 0 && this.times[0] <= t - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit && this.state.failed === null) {
      this.state.failed =
        `${this.what} crashed ${this.times.length} times within ${this.windowMs / 1000} s (last: ${reason}); ` +
        `it is no longer restarted — restart the server`;
    }
    return this.state.failed !== null;
  }

  /** Marks the component failed for another reason (a replacement that could not start). */
  fail(reason: string): void {
    this.state.failed ??= reason;
  }

  restarted(): void {
    this.state.restarts++;
  }

  get failed(): string | null {
    return this.state.failed;
  }

  health(): WorkerHealth {
    return { ...this.state };
  }
}
