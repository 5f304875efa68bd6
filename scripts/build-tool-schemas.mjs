// Writes dist/tool-schemas.json: the JSON Schemas tools/list serves (src/server/tool-list.ts), computed once at build
// time so a starting server answers tools/list at once instead of converting every zod schema first.
import { writeFileSync } from 'node:fs';
import { computeListedSchemas, SCHEMAS_FILE } from '../dist/src/server/tool-list.js';

writeFileSync(SCHEMAS_FILE, JSON.stringify(computeListedSchemas()));
