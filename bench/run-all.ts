// `npm run bench`: runs each benchmark in its own process (so peak RSS is per benchmark) and prints one JSON
// object keyed by benchmark name. Extra arguments are passed to every benchmark. Never part of `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = ['surd', 'engine', 'corpus', 'cache', 'stdio'];
const only = process.env.BENCH ? process.env.BENCH.split(',') : BENCHES;
const results: Record<string, unknown> = {};

for (const name of only) {
  const file = join(here, `${name}.js`);
  if (!existsSync(file)) {
    results[name] = { error: `${file} not built` };
    continue;
  }
  process.stderr.write(`bench: ${name}…\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', file, ...process.argv.slice(2)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) {
    results[name] = { error: `exited with ${run.status}` };
    continue;
  }
  try {
    results[name] = JSON.parse(run.stdout);
  } catch {
    results[name] = { error: 'output was not JSON', output: run.stdout.slice(0, 2000) };
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
