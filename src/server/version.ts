import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './config.js';

export const VERSION: string = (
  JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
).version;

/** The tools/list schemas `npm run build` writes (scripts/build-tool-schemas.mjs); every build rewrites it. */
export const SCHEMAS_FILE = join(packageRoot(), 'dist', 'tool-schemas.json');
