import { z } from 'zod';
import { TOOLS } from '../dist/src/tools/index.js';
const t = TOOLS.find((x) => x.name === process.argv[2]);
const s = z.toJSONSchema(t.output, { target: 'draft-7', io: 'output', reused: 'ref' });
const defs = s.definitions ?? {};
for (const [k, v] of Object.entries(defs).sort((a, b) => JSON.stringify(b[1]).length - JSON.stringify(a[1]).length).slice(0, 8)) console.log(k, JSON.stringify(v).length, JSON.stringify(v).slice(0, 300));
const top = { ...s }; delete top.definitions;
for (const [k, v] of Object.entries(top.properties)) console.log('P', k, JSON.stringify(v).length);
