// Builds the Claude Desktop bundle (.mcpb): the files `npm pack` ships, the production node_modules from the
// lock, and a manifest whose tool list is read from the built server's own tools/list (one source of truth).
// Usage: node scripts/bundle.mjs [--out DIR]   (default DIR: build/; `npm run bundle` builds first)
// Writes DIR/mcpb/ (the unpacked bundle) and DIR/red-heart-mcp-<version>.mcpb.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'dist/src/server/cli.js';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function outDir() {
  const i = process.argv.indexOf('--out');
  if (i < 0) return join(ROOT, 'build');
  const dir = process.argv[i + 1];
  if (!dir) throw new Error('--out needs a directory');
  return resolve(dir);
}

function run(cmd, args, cwd) {
  // npm inherits ONNXRUNTIME_NODE_INSTALL=skip; --ignore-scripts below makes the CUDA download impossible anyway.
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    shell: process.platform === 'win32',
  });
}

/** The files `npm pack` ships (package.json `files`), unpacked into `stage`. */
function stagePackage(out, stage) {
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', out], ROOT));
  const tgz = join(out, packed[0].filename);
  mkdirSync(stage, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', stage, '--strip-components=1'], { stdio: 'inherit' });
  unlinkSync(tgz);
}

/** Production dependencies exactly as locked; no install scripts (onnxruntime-node ships its CPU binaries). */
function installProduction(stage) {
  writeFileSync(join(stage, 'package-lock.json'), readFileSync(join(ROOT, 'package-lock.json')));
  run(npm, ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], stage);
  unlinkSync(join(stage, 'package-lock.json'));
}

/**
 * better-sqlite3 12 (the file cache on runtimes without Node-API 10, e.g. Node 20) needs its native binding, which
 * its install script builds and the install above skips. The bundle carries the one the checkout's `npm ci` built: it
 * serves THIS platform only; elsewhere such a runtime's file cache reports `degraded` and calls are served uncached.
 * Runtimes with Node-API 10 load better-sqlite3 13 (`better-sqlite3-napi`), whose binaries the install above brings
 * for every platform it ships (docs/deployment.md).
 */
function copySqliteBinding(stage) {
  const rel = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  const from = join(ROOT, rel);
  if (!existsSync(from))
    throw new Error(`${from} is missing: run npm ci in the checkout (it builds better-sqlite3) before bundling`);
  mkdirSync(dirname(join(stage, rel)), { recursive: true });
  copyFileSync(from, join(stage, rel));
}

/**
 * npm tarballs cannot hold symlinks, so onnxruntime-node carries its macOS library twice: libonnxruntime.1.dylib
 * (the name the binding links, @rpath/libonnxruntime.1.dylib) and an identical versioned copy nothing loads.
 * Drop the copy (44 MB) only when the binding names the short one and not the copy.
 */
function dropUnlinkedDylibCopy(stage) {
  const dir = join(stage, 'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64');
  if (!existsSync(dir)) return;
  const binding = readFileSync(join(dir, 'onnxruntime_binding.node')).toString('latin1');
  for (const name of readdirSync(dir)) {
    if (
      /^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(name) &&
      existsSync(join(dir, 'libonnxruntime.1.dylib')) &&
      binding.includes('@rpath/libonnxruntime.1.dylib') &&
      !binding.includes(name)
    ) {
      unlinkSync(join(dir, name));
    }
  }
}

/**
 * The staged models/ must hold every file the default needs (a single model, or each member of an ensemble: ONNX file
 * and tokenizer) with the manifest's sha256, as the server verifies at load; read with the staged server's own
 * manifest code. Returns the default's id and its files.
 */
async function checkDefaultModel(stage) {
  const { resolveSelection, selectionModels } = await import(
    pathToFileURL(join(stage, 'dist/src/engine/manifest.js')).href
  );
  const sel = resolveSelection(join(stage, 'models'), undefined, undefined);
  const files = [];
  for (const m of selectionModels(sel)) {
    for (const [file, sha] of [
      [m.entry.file, m.entry.sha256],
      [m.entry.tokenizer, m.entry.tokenizer_sha256],
    ]) {
      const path = join(stage, 'models', file);
      if (!existsSync(path)) throw new Error(`the bundle lacks models/${file}, which the default model needs`);
      if (sha && createHash('sha256').update(readFileSync(path)).digest('hex') !== sha.toLowerCase())
        throw new Error(`models/${file} in the bundle does not match its sha256 in models/manifest.json`);
      files.push(file);
    }
  }
  return { id: sel.kind === 'model' ? sel.model.entry.id : sel.ensemble.entry.id, files };
}

/** Name and description of every tool, as the staged server itself lists them. */
async function listTools(stage) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(stage, ENTRY)],
    env: { ...process.env, RED_HEART_CACHE: 'none', RED_HEART_LOG_LEVEL: 'error' },
    cwd: stage,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'red-heart-bundle', version: '0.0.0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    if (tools.length === 0) throw new Error('the staged server lists no tools');
    return tools.map((t) => ({ name: t.name, description: t.description ?? '' }));
  } finally {
    await client.close();
  }
}

/** The environment variable of a server setting, looked up in the server's own settings table. */
async function settingEnv(stage, flag) {
  const { CONFIG_SETTINGS } = await import(pathToFileURL(join(stage, 'dist/src/server/config.js')).href);
  const setting = CONFIG_SETTINGS.find((s) => s.flag === flag);
  if (!setting) throw new Error(`the server has no setting ${flag}: update scripts/bundle.mjs`);
  return setting.env;
}

async function manifest(stage) {
  const pkg = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
  const { LOG_LEVELS } = await import(pathToFileURL(join(stage, 'dist/src/server/config.js')).href);
  const env = {
    [await settingEnv(stage, '--cache')]: '${user_config.cache}',
    [await settingEnv(stage, '--cache-path')]: '${user_config.cache_path}',
    [await settingEnv(stage, '--log-level')]: '${user_config.log_level}',
    [await settingEnv(stage, '--data-dir')]: '${user_config.data_dir}',
    [await settingEnv(stage, '--memory')]: '${user_config.memory}',
  };
  return {
    manifest_version: '0.2',
    name: pkg.name,
    display_name: 'Red Heart',
    version: pkg.version,
    description: pkg.description,
    long_description:
      'Seven tools: emotion analysis of English and Korean text with the ONNX models shipped in the bundle and run on the CPU ' +
      "(by default an ensemble of the model this project trained and Google's multilingual Universal Sentence Encoder with heads trained here), " +
      "Bentham's felicific calculus, regret analysis of decisions, exact SURD causal decomposition, a full analysis combining them, " +
      "conversation analysis (speakers' emotion over time, shifts, influence), " +
      'and analyze_corpus, which analyses a whole CSV/JSONL/text file in the data folder and writes an HTML report next to it. ' +
      'Runs locally; nothing leaves the machine.',
    author: { name: 'red-heart-mcp contributors' },
    license: pkg.license,
    keywords: [
      'emotion',
      'sentiment',
      'korean',
      'ethics',
      'bentham',
      'regret',
      'decision',
      'causality',
      'surd',
      'onnx',
    ],
    server: {
      type: 'node',
      entry_point: ENTRY,
      mcp_config: { command: 'node', args: [`\${__dirname}/${ENTRY}`], env },
    },
    tools: await listTools(stage),
    tools_generated: false,
    compatibility: {
      // onnxruntime-node's shipped CPU binaries: linux x64/arm64, darwin arm64, win32 x64/arm64.
      platforms: ['darwin', 'win32', 'linux'],
      runtimes: { node: pkg.engines.node },
    },
    // Empty values reach the server as empty variables, which it treats as unset: its own defaults apply.
    user_config: {
      cache: {
        type: 'string',
        title: 'Result cache',
        description: 'file (kept on disk between sessions), memory (this session only) or none. Empty: file.',
        default: '',
        required: false,
      },
      cache_path: {
        type: 'string',
        title: 'Cache file',
        description:
          'Where the file cache is kept. Empty: $XDG_CACHE_HOME/red-heart-mcp/cache.sqlite, or ~/.cache/red-heart-mcp/cache.sqlite.',
        default: '',
        required: false,
      },
      data_dir: {
        type: 'directory',
        title: 'Data folder',
        description:
          'The folder analyze_corpus may read files from and write its reports to. Empty: none (the tool then says how to allow one).',
        default: '',
        required: false,
      },
      memory: {
        type: 'string',
        title: 'Experience memory file',
        description:
          'A SQLite file where remember / recall / forget keep cases and decisions (created if missing; forget or deleting the file erases them). Empty: memory off, nothing is stored.',
        default: '',
        required: false,
      },
      log_level: {
        type: 'string',
        title: 'Log level',
        description: `${LOG_LEVELS.join(' | ')} (logs go to Claude's MCP log for this server). Empty: info.`,
        default: '',
        required: false,
      },
    },
  };
}

function mcpbCli() {
  // Its exports map hides package.json, so walk up from the resolved entry to the package root.
  let dir = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/mcpb'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const bin = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).bin;
  return join(dir, typeof bin === 'string' ? bin : bin.mcpb);
}

async function main() {
  const out = outDir();
  const stage = join(out, 'mcpb');
  if (!existsSync(join(ROOT, ENTRY)))
    throw new Error(`${ENTRY} is missing: run \`npm run build\` first (npm run bundle does it)`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  stagePackage(out, stage);
  installProduction(stage);
  copySqliteBinding(stage);
  dropUnlinkedDylibCopy(stage);
  const served = await checkDefaultModel(stage);
  const m = await manifest(stage);
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  const file = join(out, `${m.name}-${m.version}.mcpb`);
  rmSync(file, { force: true });
  // `mcpb pack` validates the manifest, then zips the directory (it leaves out *.map, *.d.ts, lock files).
  execFileSync(process.execPath, [mcpbCli(), 'pack', stage, file], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(file)) throw new Error(`mcpb pack wrote no ${file}`);
  const mb = (statSync(file).size / 1e6).toFixed(1);
  process.stderr.write(
    `bundle: ${file} (${mb} MB, ${m.tools.length} tools; default model ${served.id}: ${served.files.join(', ')})\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`bundle failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
