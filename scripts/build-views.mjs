// Builds each MCP Apps view (views/<tool>.ts) into one self-contained HTML file, dist/views/<tool>.html: the
// script bundled by esbuild (the ext-apps App class included) and the stylesheet inlined, so a view makes no
// network request. `npm run build` runs this after tsc; src/server/views.ts serves the files as ui:// resources.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
/** One view per views/<tool>.ts (views/shared/ holds what they share). */
const VIEW_NAMES = readdirSync(resolve(ROOT, 'views'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const OUT = resolve(ROOT, 'dist/views');

const css = readFileSync(resolve(ROOT, 'views/shared/base.css'), 'utf8');

/**
 * zod re-exports all of its ~50 error-message locales as one namespace, which keeps every one of them in a bundle
 * (about half of a view's size). The views use only the default English messages, so zod's locale index is replaced
 * by one that exports `en` alone.
 */
const englishOnlyZodLocales = {
  name: 'zod-english-locale-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: resolve(args.resolveDir, '../locales/index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(resolve(args.path, '../en.js'))};`,
      resolveDir: resolve(args.path, '..'),
    }));
  },
};

async function bundle(name) {
  const r = await build({
    entryPoints: [resolve(ROOT, `views/${name}.ts`)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    plugins: [englishOnlyZodLocales],
    logLevel: 'warning',
  });
  // A literal "</script" inside the bundle would end the inline script early.
  return r.outputFiles[0].text.replaceAll('</script', '<\\/script');
}

mkdirSync(OUT, { recursive: true });
for (const name of VIEW_NAMES) {
  const js = await bundle(name);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>red-heart: ${name}</title>
<style>${css}</style>
</head>
<body>
<main id="root"><p class="muted">Waiting for the ${name} result…</p></main>
<script>${js}</script>
</body>
</html>
`;
  writeFileSync(resolve(OUT, `${name}.html`), html);
}
console.log(`views: ${VIEW_NAMES.length} built into dist/views`);
