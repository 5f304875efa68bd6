import { TOOLS } from '../dist/src/tools/index.js';
import { withCachedFlag } from '../dist/src/server/registry.js';
import { compactOutputSchema, inputJsonSchema } from './tool-schemas.mjs';
let o = 0, i = 0;
for (const t of TOOLS) {
  const out = JSON.stringify(compactOutputSchema(withCachedFlag(t.output), `red-heart://schema/${t.name}`));
  const inp = JSON.stringify(inputJsonSchema(t.input));
  o += out.length; i += inp.length + t.description.length;
  console.log(t.name, out.length, inp.length, t.description.length);
  if (process.argv[2] === t.name) console.log(out);
}
console.log({ o, i });
