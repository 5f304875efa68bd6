import { z } from 'zod';
import { TOOLS } from '/work/wt-agent/dist/src/tools/index.js';
import { withCachedFlag } from '/work/wt-agent/dist/src/server/registry.js';
const strip = (s) => JSON.parse(JSON.stringify(s, (k, v) => (k === 'description' && typeof v === 'string' ? undefined : v)));
let tot = { plain: 0, ref: 0, refNoDesc: 0, in: 0 };
for (const t of TOOLS) {
  const o = withCachedFlag(t.output);
  const plain = JSON.stringify(z.toJSONSchema(o, { target: 'draft-7', io: 'output' })).length;
  const refS = z.toJSONSchema(o, { target: 'draft-7', io: 'output', reused: 'ref' });
  const ref = JSON.stringify(refS).length;
  const nd = JSON.stringify(strip(refS)).length;
  const inp = JSON.stringify(z.toJSONSchema(t.input, { target: 'draft-7', io: 'input' })).length + t.description.length;
  tot.plain += plain; tot.ref += ref; tot.refNoDesc += nd; tot.in += inp;
  console.log(t.name, plain, ref, nd, inp, Object.keys(refS.definitions ?? refS.$defs ?? {}).length);
}
console.log(tot);
