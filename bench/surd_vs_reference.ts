// Side-by-side speed of surd_decompose's analysis against the reference Python implementation (numpy), on the same
// data, in alternating fresh processes. Prints one JSON object: per case, medians over runs of the per-run sums
// over targets (wall and CPU seconds, binning / decomposition / total), the Python/TS ratios of those medians,
// the median of the per-run paired ratios, peak RSS, and the largest |Python − TS| over every R/U/S/MI value and
// the leak.
//   Setup (once): cp -r ../shared/surd/reference /tmp/surdref && cd /tmp/surdref && python3 -m venv venv &&
//                 venv/bin/pip install numpy && node gen.mjs data
//   Run:          npm run build && node dist/bench/surd_vs_reference.js [--ref /tmp/surdref] [--runs 5] [--cases mid,many,many_hd3,paper]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from '../eval/args.js';

const ref = resolve(arg('ref', '/tmp/surdref'));
const runs = Number(arg('runs', '5'));
const cases = arg('cases', 'mid,many,many_hd3,paper').split(',');
const side = fileURLToPath(new URL('./surd_side.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'surd-bench-'));

type Parts = Record<string, number>;
interface Target {
  target: number;
  bin_s: number;
  decompose_s: number;
  total_s: number;
  bin_cpu_s: number;
  decompose_cpu_s: number;
  redundant: Parts;
  unique: Parts;
  synergistic: Parts;
  mi: Parts;
  leak: number;
}
interface Run {
  peak_rss_mb: number;
  numpy?: string;
  node?: string;
  per_target: Target[];
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, d = 4) => Number(x.toPrecision(d));

function runPy(c: string, out: string): Run {
  execFileSync(join(ref, 'venv/bin/python'), [join(ref, 'bench_py.py'), c, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8')) as Run;
}
function runTs(c: string, out: string): Run {
  execFileSync(process.execPath, [side, ref, c, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(out, 'utf8')) as Run;
}

const FIELDS = ['bin_s', 'decompose_s', 'total_s', 'bin_cpu_s', 'decompose_cpu_s'] as const;
const total = (r: Run, f: (typeof FIELDS)[number] | 'total_cpu_s') =>
  r.per_target.reduce((s, t) => s + (f === 'total_cpu_s' ? t.bin_cpu_s + t.decompose_cpu_s : t[f]), 0);

const report: Record<string, unknown> = {};
for (const c of cases) {
  const py: Run[] = [];
  const ts: Run[] = [];
  for (let r = 0; r < runs; r++) {
    // Alternate which side goes first, so neither always runs on a warmer or quieter machine.
    if (r % 2 === 0) {
      py.push(runPy(c, join(work, `py_${c}_${r}.json`)));
      ts.push(runTs(c, join(work, `ts_${c}_${r}.json`)));
    } else {
      ts.push(runTs(c, join(work, `ts_${c}_${r}.json`)));
      py.push(runPy(c, join(work, `py_${c}_${r}.json`)));
    }
    process.stderr.write(
      `${c} run ${r + 1}/${runs}: py ${total(py[r], 'total_s').toFixed(3)} s, ts ${total(ts[r], 'total_s').toFixed(3)} s\n`,
    );
  }
  const steps: Record<string, unknown> = {};
  for (const f of [...FIELDS, 'total_cpu_s'] as const) {
    const p = median(py.map((x) => total(x, f)));
    const t = median(ts.map((x) => total(x, f)));
    steps[f] = {
      python: round(p),
      ts: round(t),
      ratio: round(p / t, 3),
      paired_ratio_median: round(median(py.map((x, i) => total(x, f) / total(ts[i], f))), 3),
    };
  }
  let worst = 0;
  for (const [tp, tt] of py[0].per_target.map((t, i) => [t, ts[0].per_target[i]] as const)) {
    for (const g of ['redundant', 'unique', 'synergistic', 'mi'] as const) {
      for (const k of Object.keys(tp[g])) worst = Math.max(worst, Math.abs(tp[g][k] - tt[g][k]));
      if (Object.keys(tp[g]).length !== Object.keys(tt[g]).length) throw new Error(`${c}: key sets differ in ${g}`);
    }
    worst = Math.max(worst, Math.abs(tp.leak - tt.leak));
  }
  report[c] = {
    runs,
    targets: py[0].per_target.length,
    seconds_are: 'median over runs of the sum over targets',
    ...steps,
    peak_rss_mb: {
      python: round(median(py.map((x) => x.peak_rss_mb))),
      ts: round(median(ts.map((x) => x.peak_rss_mb))),
    },
    max_abs_diff_bits: worst,
  };
}
const u = (await import('node:os')).loadavg();
console.log(
  JSON.stringify(
    {
      reference: ref,
      node: process.version,
      numpy: (JSON.parse(readFileSync(join(work, `py_${cases[0]}_0.json`), 'utf8')) as Run).numpy,
      load_average_after: u.map((x) => round(x, 3)),
      cases: report,
    },
    null,
    1,
  ),
);
