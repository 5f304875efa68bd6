// Worker thread entry for surd_decompose: runs the SURD step generator to the end and reports each progress
// point. The tool (surd-decompose.ts) validates the input first and maps errors; see surd-runner.ts.
import { lowerThreadPriority, runWorkerTasks } from '../engine/workers/pool.js';
import {
  surdFromSamplesSteps,
  surdFromTableSteps,
  surdWithSignificanceSteps,
  type SurdProgress,
} from '../analysis/surd/index.js';
import type { SurdTask } from './surd-runner.js';

// A long SURD call must not slow other clients' calls sharing the cores (test/integration/off-loop.test.ts).
lowerThreadPriority();

runWorkerTasks<SurdTask, unknown, SurdProgress>((task, progress) => {
  const steps: Generator<SurdProgress, unknown, void> =
    task.kind === 'table'
      ? surdFromTableSteps(task.data, task.shape, { inPlace: true })
      : task.kind === 'significance'
        ? surdWithSignificanceSteps(task.input, task.options)
        : surdFromSamplesSteps(task.input);
  for (;;) {
    const r = steps.next();
    if (r.done) return { value: r.value };
    progress(r.value);
  }
});
