// SURD benchmark: time to bin and to decompose (a) the energy-cascade series at the reference-vector settings and
// (b) a generated paper-scale case (5·10⁷ samples, 3 sources, 50 bins: the mediator system of the paper's
// building-block figure, from a seeded PRNG). Prints one JSON object. Not part of `npm test`.
//   node dist/bench/surd.js [--samples N] [--targets K] [--vectors DIR]
import { readFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jointCounts, runSync, surdFromTableSteps, type SurdResult } from '../src/analysis/surd/index.js';
import { Rng } from '../src/core/random.js';
import { arg } from '../eval/args.js';
import { packageRoot } from '../src/server/config.js';

/** Repository root from bench/ (vite-node) or dist/bench/ (compiled). */

/** Gaussians by Box–Muller (pairs) from the project's seeded xoshiro128** (src/core/random.ts). */
class Gaussian {
  private readonly rng: Rng;
  private spare = NaN;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.rng.uniform()));
    const a = 2 * Math.PI * this.rng.uniform();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

/** Mediator Q3 → Q2 → Q1 (SPEC §19 / vectors mediator.json), n samples after a 10⁴-step burn-in. */
function mediator(n: number, seed: number): Float64Array[] {
  const burn = 10_000;
  const q1 = new Float64Array(n);
  const q2 = new Float64Array(n);
  const q3 = new Float64Array(n);
  const rng = new Gaussian(seed);
  // a feeds nothing back (only b and c are read at the next step): it is the series' output
  let a: number;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n + burn; i++) {
    const na = Math.sin(b) + 0.001 * rng.normal();
    const nb = Math.cos(c) + 0.01 * rng.normal();
    const nc = 0.5 * c + 0.1 * rng.normal();
    a = na;
    b = nb;
    c = nc;
    if (i >= burn) {
      q1[i - burn] = a;
      q2[i - burn] = b;
      q3[i - burn] = c;
    }
  }
  return [q1, q2, q3];
}

interface Timing {
  target: number;
  lag: number;
  bin_ms: number;
  decompose_ms: number;
  /** CPU time of this process (user + system): less sensitive than wall time to other load on the machine. */
  bin_cpu_ms: number;
  decompose_cpu_ms: number;
  occupied_cells: number;
  mi_bits: number;
  leak: number;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function timeOne(series: ArrayLike<number>[], target: number, lag: number, bins: number): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const joint = jointCounts({ target: series[target - 1], sources: series, lag, bins });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  let occupied = 0;
  for (let i = 0; i < joint.counts.length; i++) if (joint.counts[i] !== 0) occupied++;
  const c2 = process.cpuUsage();
  const t2 = performance.now();
  const r: SurdResult = runSync(surdFromTableSteps(joint.counts, joint.shape, { inPlace: true }));
  const t3 = performance.now();
  const c3 = process.cpuUsage();
  return {
    target,
    lag,
    bin_ms: +(t1 - t0).toFixed(1),
    decompose_ms: +(t3 - t2).toFixed(1),
    bin_cpu_ms: +(cpuMs(c1) - cpuMs(c0)).toFixed(1),
    decompose_cpu_ms: +(cpuMs(c3) - cpuMs(c2)).toFixed(1),
    occupied_cells: occupied,
    mi_bits: r.miTotal as number,
    leak: r.infoLeak,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function main(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    load_average_1m_at_start: +loadavg()[0].toFixed(2),
  };
  const vectors = resolve(arg('vectors', resolve(packageRoot(), '../shared/surd/vectors')));
  const seriesFile = resolve(vectors, 'energy_cascade_series.json');
  if (existsSync(seriesFile)) {
    const series = (JSON.parse(readFileSync(seriesFile, 'utf8')) as { series: number[][] }).series.map((s) =>
      Float64Array.from(s),
    );
    const lags = [1, 19, 11, 6];
    timeOne(series, 1, 1, 10); // warm-up (JIT)
    const perTarget = lags.map((lag, i) => {
      const runs = Array.from({ length: 5 }, () => timeOne(series, i + 1, lag, 10));
      const med = (k: 'bin_ms' | 'decompose_ms' | 'bin_cpu_ms' | 'decompose_cpu_ms') => median(runs.map((r) => r[k]));
      return {
        ...runs[0],
        bin_ms: med('bin_ms'),
        decompose_ms: med('decompose_ms'),
        bin_cpu_ms: med('bin_cpu_ms'),
        decompose_cpu_ms: med('decompose_cpu_ms'),
      };
    });
    out.energy_cascade = {
      samples: series[0].length,
      sources: 4,
      bins: 10,
      cells: 10 ** 5,
      median_of: 5,
      per_target: perTarget,
    };
  } else {
    out.energy_cascade = { skipped: `series not found at ${seriesFile}` };
  }

  const n = Number(arg('samples', '50000000'));
  const targets = Number(arg('targets', '3'));
  const g0 = performance.now();
  const q = mediator(n, 10);
  const generateMs = performance.now() - g0;
  const perTarget = Array.from({ length: targets }, (_, i) => timeOne(q, i + 1, 1, 50));
  out.paper_scale = {
    system: 'mediator Q3→Q2→Q1, seeded xoshiro128** + Box–Muller (seed 10)',
    samples: n,
    sources: 3,
    bins: 50,
    cells: 50 ** 4,
    generate_ms: +generateMs.toFixed(1),
    per_target: perTarget,
  };
  out.load_average_1m_at_end = +loadavg()[0].toFixed(2);
  out.peak_rss_mb = +(process.resourceUsage().maxRSS / 1024).toFixed(1);
  console.log(JSON.stringify(out, null, 2));
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
