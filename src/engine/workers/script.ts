// Where a worker thread's entry script is. Workers run compiled JavaScript: from dist/ the script sits next to
// the importing module; when the importing module is TypeScript source (vitest), the compiled copy under dist/
// is used, so `npm run build` must have run (npm test does).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** URL of the compiled worker `name` (e.g. 'surd-worker.js') that lives beside the module at `moduleUrl`. */
export function workerScript(moduleUrl: string, name: string): URL {
  const beside = new URL(name, moduleUrl);
  if (existsSync(fileURLToPath(beside))) return beside;
  const path = fileURLToPath(beside);
  const marker = `${'/'}src${'/'}`;
  const at = path.lastIndexOf(marker);
  if (at >= 0) {
    const built = `${path.slice(0, at)}/dist/src/${path.slice(at + marker.length)}`;
    if (existsSync(built)) return pathToFileURL(built);
  }
  throw new Error(
    `worker script ${name} not found beside ${fileURLToPath(moduleUrl)} nor under dist/: run \`npm run build\``,
  );
}
