// The Claude Desktop bundle: scripts/bundle.mjs (what `npm run bundle` runs) builds a .mcpb; the mcpb CLI
// validates its manifest; the manifest's tools are the server's tools/list and its user settings reach real
// server settings; and the server starts from the unpacked bundle, launched the way Claude Desktop launches it
// (mcp_config with ${__dirname} and ${user_config.*} substituted by the mcpb library), and answers a call.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMcpConfigForManifest } from '@anthropic-ai/mcpb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_SETTINGS, loadConfig } from '../../src/server/config.js';
import { startServer } from './harness.js';
import { JOY_TEXT, ROOT, StdioSession, cleanEnv, runAsync, shippedModel, shippedModelFiles } from './packaged.js';

const MCPB_CLI = join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

interface Manifest {
  name: string;
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: Array<{ name: string; description: string }>;
  user_config: Record<string, { default?: string }>;
}

describe('Claude Desktop bundle (.mcpb)', () => {
  let out: string;
  let file: string;
  let manifest: Manifest;
  let unpacked: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/src/server/cli.js')))
      throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
    out = realpathSync(mkdtempSync(join(tmpdir(), 'rh-mcpb-')));
    await runAsync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), '--out', out], ROOT, cleanEnv(), 400_000);
    file = join(out, `${pkg.name}-${pkg.version}.mcpb`);
    manifest = JSON.parse(readFileSync(join(out, 'mcpb', 'manifest.json'), 'utf8')) as Manifest;
    unpacked = join(out, 'unpacked');
    // in a child process: unpacking ~330 MB in the test worker would block it past vitest's RPC timeout
    await runAsync(process.execPath, [MCPB_CLI, 'unpack', file, unpacked], ROOT);
  }, 600_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('the mcpb CLI validates the manifest', async () => {
    const { stdout } = await runAsync(process.execPath, [MCPB_CLI, 'validate', join(unpacked, 'manifest.json')], ROOT);
    expect(stdout).toMatch(/validation passes/i);
    expect(manifest).toMatchObject({ name: pkg.name, version: pkg.version });
    expect(statSync(file).size).toBeGreaterThan(30e6); // at least the model; the size is printed by `npm run bundle`
  });

  it("carries every file of the default model (each ensemble member's ONNX file and tokenizer), byte for byte", () => {
    const files = shippedModelFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(readFileSync(join(unpacked, f)).equals(readFileSync(join(ROOT, f))), f).toBe(true);
  });

  it("lists exactly the server's tools, names and descriptions", async () => {
    const server = await startServer();
    try {
      const { tools } = await server.client.listTools();
      expect(manifest.tools).toEqual(tools.map((t) => ({ name: t.name, description: t.description })));
      expect(manifest.tools.map((t) => t.name)).toEqual([
        'analyze_emotion',
        'bentham_score',
        'regret_forecast',
        'surd_decompose',
        'full_analysis',
        'analyze_conversation',
        'analyze_corpus',
      ]);
    } finally {
      await server.close();
    }
  });

  it('maps every user setting to a server environment variable, and empty values leave the defaults', async () => {
    const known = new Set(CONFIG_SETTINGS.map((s) => s.env));
    const env = manifest.server.mcp_config.env;
    expect(Object.keys(env).sort()).toEqual([
      'RED_HEART_CACHE',
      'RED_HEART_CACHE_PATH',
      'RED_HEART_DATA_DIRS',
      'RED_HEART_LOG_LEVEL',
      'RED_HEART_MEMORY',
    ]);
    for (const name of Object.keys(env)) expect(known.has(name)).toBe(true);
    const referenced = Object.values(env).map((v) => /^\$\{user_config\.([a-z_]+)\}$/.exec(v)?.[1]);
    expect(referenced.sort()).toEqual(Object.keys(manifest.user_config).sort());
    // With nothing set by the user, the substituted values are empty, which the server reads as "not set".
    const resolved = await getMcpConfigForManifest({
      manifest: manifest as never,
      extensionPath: unpacked,
      systemDirs: {},
      userConfig: {},
      pathSeparator: '/',
    });
    expect(resolved!.env).toEqual({
      RED_HEART_CACHE: '',
      RED_HEART_CACHE_PATH: '',
      RED_HEART_DATA_DIRS: '',
      RED_HEART_LOG_LEVEL: '',
      RED_HEART_MEMORY: '',
    });
    expect(loadConfig([], resolved!.env).config).toEqual(loadConfig([], {}).config);
  });

  it('the server starts from the unpacked bundle as Claude Desktop launches it and answers analyze_emotion', async () => {
    const cachePath = join(out, 'user-cache', 'cache.sqlite');
    const cfg = await getMcpConfigForManifest({
      manifest: manifest as never,
      extensionPath: unpacked,
      systemDirs: {},
      userConfig: { cache: 'file', cache_path: cachePath, log_level: 'info' },
      pathSeparator: '/',
    });
    expect(cfg!.command).toBe('node');
    expect(cfg!.args).toEqual([join(unpacked, manifest.server.entry_point)]);
    // Claude Desktop runs `node` with its own Node runtime; here that is the Node running the tests.
    const session = new StdioSession(process.execPath, cfg!.args!, tmpdir(), cleanEnv(cfg!.env));
    try {
      await session.initialize();
      const r = await session.request('tools/call', { name: 'analyze_emotion', arguments: { text: JOY_TEXT } });
      expect(r.result!.isError ?? false).toBe(false);
      expect(r.result!.structuredContent.model).toEqual(shippedModel());
      expect(r.result!.structuredContent.results[0].ekman.dominant).toBe('joy');
      const ready = session.stderr
        .split('\n')
        .filter((l) => l.includes('ready on stdio'))
        .map((l) => JSON.parse(l) as { modelsDir: string; cache: string });
      expect(ready).toEqual([expect.objectContaining({ modelsDir: join(unpacked, 'models'), cache: 'file' })]);
    } finally {
      expect(await session.close()).toBe(0);
    }
    expect(existsSync(cachePath)).toBe(true); // the cache setting reached the server
  });
});
