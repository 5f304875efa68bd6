// TS side of the side-by-side SURD benchmark (bench/surd_vs_reference.ts runs it in a fresh process per run).
// Same protocol as the reference copy's bench_ts.mjs: per target, time binning (range + edges + joint counts; in
// high-dimensional mode the per-axis bin indices) and the decomposition, on the float64 inputs written by its gen.mjs.
//   node dist/bench/surd_side.js REF_DIR CASE OUT.json
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alignWindows, binAxesSteps } from '../src/analysis/surd/binning.js';
import { highDimSteps } from '../src/analysis/surd/highdim.js';
import {
  alignedPairs,
  binsPerAxis,
  jointCounts,
  runSync,
  surdFromTableSteps,
  type SurdResult,
} from '../src/analysis/surd/index.js';

interface Case {
  data: string;
  bins: number;
  lag: number;
  targets: number[];
  mode: 'full' | 'hd';
  max_combs?: number;
}

const [refDir, caseName, outPath] = process.argv.slice(2);
const c = (JSON.parse(readFileSync(resolve(refDir, 'cases.json'), 'utf8')) as Record<string, Case>)[caseName];
const meta = JSON.parse(readFileSync(resolve(refDir, 'data', `${c.data}.json`), 'utf8')) as {
  n: number;
  nvars: number;
};

const series: Float64Array[] = [];
const fd = openSync(resolve(refDir, 'data', `${c.data}.bin`), 'r');
if (fstatSync(fd).size !== meta.n * meta.nvars * 8) throw new Error('size mismatch');
for (let k = 0; k < meta.nvars; k++) {
  const a = new Float64Array(meta.n);
  const bytes = new Uint8Array(a.buffer);
  let got = 0;
  while (got < bytes.length)
    got += readSync(fd, bytes, got, Math.min(1 << 30, bytes.length - got), k * meta.n * 8 + got);
  series.push(a);
}
closeSync(fd);

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const perTarget = [];
for (const i of c.targets) {
  const input = { target: series[i - 1], sources: series, lag: c.lag, bins: c.bins };
  const c0 = cpu();
  const t0 = performance.now();
  let r: SurdResult;
  let t1: number;
  let c1: number;
  if (c.mode === 'full') {
    const joint = jointCounts(input);
    t1 = performance.now();
    c1 = cpu();
    r = runSync(surdFromTableSteps(joint.counts, joint.shape, { inPlace: true, occupied: joint.occupied }));
  } else {
    const pairs = alignedPairs(input.target, input.sources, c.lag);
    const binned = runSync(
      binAxesSteps(alignWindows(input.target, input.sources, c.lag), pairs, binsPerAxis(c.bins, series.length)),
    );
    t1 = performance.now();
    c1 = cpu();
    r = runSync(highDimSteps(binned, c.max_combs as number));
  }
  const t2 = performance.now();
  const c2 = cpu();
  perTarget.push({
    target: i,
    bin_s: (t1 - t0) / 1000,
    decompose_s: (t2 - t1) / 1000,
    total_s: (t2 - t0) / 1000,
    bin_cpu_s: c1 - c0,
    decompose_cpu_s: c2 - c1,
    redundant: r.redundant,
    unique: r.unique,
    synergistic: r.synergistic,
    mi: r.mutualInformation,
    leak: r.infoLeak,
  });
}
writeFileSync(
  outPath,
  JSON.stringify({
    side: 'ts',
    case: caseName,
    node: process.version,
    n: meta.n,
    nvars: meta.nvars,
    ...c,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    per_target: perTarget,
  }),
);
