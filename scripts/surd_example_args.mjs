// Arguments of the README's surd_decompose significance example (needs npm run build):
//   node scripts/call.mjs surd_decompose "$(node scripts/surd_example_args.mjs)"
// sales_up[m+1] = ads[m] xor discount[m] with 10 % of the bits flipped; weather is an unrelated random bit.
// scripts/record-calls.mjs records the call (README's example is rendered from the recording).
import { Rng } from '../dist/src/core/random.js';

export function surdExampleArgs() {
  const r = new Rng(2024);
  const n = 600;
  const a = [],
    b = [],
    c = [];
  for (let m = 0; m < n; m++) {
    a.push(r.next() & 1);
    b.push(r.next() & 1);
    c.push(r.next() & 1);
  }
  const t = [0];
  for (let m = 1; m < n; m++) t.push(a[m - 1] ^ b[m - 1] ^ (r.next() / 2 ** 32 < 0.1 ? 1 : 0));
  return {
    target: t,
    sources: { ads: a, discount: b, weather: c },
    bins: 2,
    target_name: 'sales_up',
    significance: { surrogates: 200, seed: 1 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(surdExampleArgs()));
