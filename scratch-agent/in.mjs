import { TOOLS } from '../dist/src/tools/index.js';
import { inputJsonSchema } from './tool-schemas.mjs';
const t = TOOLS.find((x) => x.name === process.argv[2]);
console.log(JSON.stringify(inputJsonSchema(t.input)));
