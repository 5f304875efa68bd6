// Long computations are written as generators that yield coarse progress points. The analysis code stays
// synchronous and free of I/O; a caller that must stay responsive (the MCP tool: cancellation, progress
// notifications) drives the generator asynchronously, everyone else runs it straight through.

export type SurdStage = 'range' | 'bin' | 'marginals' | 'decompose' | 'surrogates';

export interface SurdProgress {
  stage: SurdStage;
  done: number;
  total: number;
}

export type Steps<T> = Generator<SurdProgress, T, void>;

/** Runs a step generator to completion without yielding to the event loop. */
export function runSync<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs a step generator, awaiting `onStep` at every progress point (it may throw to abort). */
export async function runAsync<T>(steps: Steps<T>, onStep: (p: SurdProgress) => void | Promise<void>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await onStep(r.value);
  }
}

/** Work units (cells or samples) between two progress points. */
export const STEP_WORK = 1 << 21;
