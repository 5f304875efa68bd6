// The npm package installs anywhere: `npm pack` the built checkout, install the tarball offline into an empty
// directory (dependencies from the npm cache that `npm ci` filled), then run the installed copy through npx:
// `--help`, and one analyze_emotion call over stdio on the model the package ships. Any failure is a red test,
// never a skip: an install that does not work is exactly what this test is for.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JOY_TEXT,
  ROOT,
  StdioSession,
  cleanEnv,
  lockedProjectFor,
  runAsync,
  shippedModel,
  shippedModelFiles,
} from './packaged.js';
import { VIEW_TOOLS } from '../helpers/tool-names.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

interface PackResult {
  filename: string;
  size: number;
  files: Array<{ path: string; size: number }>;
}

describe('npm package: pack, offline install into an empty directory, run', () => {
  let tmp: string;
  let app: string;
  let packed: PackResult;
  let installed: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/src/server/cli.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'rh-pack-')));
    app = join(tmp, 'app');
    mkdirSync(app);
    packed = (
      JSON.parse((await runAsync(npm, ['pack', '--json', '--pack-destination', tmp], ROOT)).stdout) as PackResult[]
    )[0];
    const tgz = join(tmp, packed.filename);
    lockedProjectFor(app, tgz);
    // Offline, better-sqlite3's install script cannot download its prebuilt binding and compiles SQLite from
    // source (minutes on a busy 2-core machine), as a user without internet would: allow for it.
    await runAsync(npm, ['install', '--offline', '--no-audit', '--no-fund', tgz], app, cleanEnv(), 720_000);
    installed = join(app, 'node_modules', 'red-heart-mcp');
  }, 780_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships what running needs and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'mcp.json',
      'server.json',
      'dist/src/server/cli.js',
      // the default model's files (every member of an ensemble): read from models/manifest.json
      ...shippedModelFiles(),
    ]) {
      expect(paths).toContain(needed);
    }
    // the MCP Apps views, built by `npm run build` (src/server/views.ts serves them)
    for (const view of VIEW_TOOLS) expect(paths).toContain(`dist/views/${view}.html`);
    // no sources, tests, training code, offline evaluation, benchmarks or source maps
    expect(
      paths.filter((p) =>
        /^(src|test|training|bench|eval|scripts|dist\/eval|dist\/bench|dist\/src\/eval)\/|\.map$|\.ts$/.test(p),
      ),
    ).toEqual([]);
    expect(readdirSync(installed).sort()).toEqual([
      'README.md',
      'dist',
      'docs',
      'mcp.json',
      'models',
      'package.json',
      'server.json',
    ]);
  });

  it('`npx red-heart-mcp --help` runs from the installed copy', async () => {
    const { stderr } = await runAsync(
      npx,
      ['--no-install', 'red-heart-mcp', '--help'],
      app,
      cleanEnv({ npm_config_offline: 'true' }),
      60_000,
    );
    expect(stderr).toContain('Usage: red-heart-mcp [options]');
    expect(stderr).toContain('RED_HEART_CACHE_PATH');
  });

  it('answers initialize and an analyze_emotion call over stdio with the shipped model', async () => {
    const session = new StdioSession(
      npx,
      ['--no-install', 'red-heart-mcp'],
      app,
      cleanEnv({ npm_config_offline: 'true', RED_HEART_CACHE: 'none', RED_HEART_LOG_LEVEL: 'info' }),
    );
    try {
      const init = await session.initialize();
      expect(init.serverInfo.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      const r = await session.request('tools/call', { name: 'analyze_emotion', arguments: { text: JOY_TEXT } });
      expect(r.error).toBeUndefined();
      expect(r.result!.isError ?? false).toBe(false);
      const s = r.result!.structuredContent;
      expect(s.model).toEqual(shippedModel());
      expect(s.results).toHaveLength(1);
      expect(s.results[0].language).toBe('en');
      expect(s.results[0].ekman.dominant).toBe('joy');
      expect(r.result!.content[0].text).toMatch(/^en: .*Ekman joy/);
      // the model was loaded from the installed package, not from the checkout
      const ready = session.stderr
        .split('\n')
        .filter((l) => l.includes('ready on stdio'))
        .map((l) => JSON.parse(l) as { modelsDir: string });
      expect(ready).toHaveLength(1);
      expect(ready[0].modelsDir).toBe(join(installed, 'models'));
    } finally {
      expect(await session.close()).toBe(0);
    }
  });
});
