// Make the CLI entry executable so `npx red-heart-mcp` works from a checkout or a packed tarball.
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/src/server/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
