// `red-heart-mcp gpu setup [--dry-run] [--force] [--python PATH] [--json]` and `red-heart-mcp gpu status [--json]`.
// Setup installs PyPI's onnxruntime-gpu wheel of exactly onnxruntime-node's version, with NVIDIA's runtime wheels,
// into a private Python environment in the user's cache directory, links the provider libraries into a provider
// directory and records it (src/engine/gpu-runtime.ts says how ONNX Runtime then finds them). NVIDIA's libraries are
// installed from PyPI on the user's machine under NVIDIA's licence; nothing of them ships with this package.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { replaceFile } from './replace-file.js';
import {
  CUDA_BUILD,
  PROVIDER_LIBRARIES,
  cudaLibraryDirs,
  cudaUnsupportedReason,
  gpuHome,
  linkProviderDir,
  ortNodeVersion,
  readGpuSetup,
  setupRecordPath,
  type GpuSetupRecord,
} from '../engine/gpu-runtime.js';

export const GPU_USAGE = [
  'Usage: red-heart-mcp gpu setup [--dry-run [--resolve]] [--force] [--python PATH] [--json]',
  '       red-heart-mcp gpu status [--json]',
  '',
  'setup   installs onnxruntime-gpu[cuda,cudnn] (same version as onnxruntime-node) into a private Python environment',
  '        in the cache directory (RED_HEART_GPU_DIR overrides it); --dry-run prints the plan (no network);',
  "        --resolve adds pip's list of packages with their sizes (pip reads each package's metadata, and from an",
  '        index without separate metadata files downloads the wheels into its cache, where setup reuses them)',
  'status  what is installed, and whether an NVIDIA driver answers',
  'Then start the server with --provider cuda (or auto).',
].join('\n');

interface Io {
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function runGpuCommand(
  args: string[],
  io: Io = { out: (l) => process.stdout.write(`${l}\n`), env: process.env },
): Promise<number> {
  const [cmd, ...rest] = args;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const pyIdx = rest.indexOf('--python');
  const python = pyIdx >= 0 ? rest[pyIdx + 1] : io.env.RED_HEART_PYTHON;
  const unknown = rest.filter(
    (a, i) =>
      !['--dry-run', '--resolve', '--force', '--json', '--python'].includes(a) && !(pyIdx >= 0 && i === pyIdx + 1),
  );
  if ((cmd !== 'setup' && cmd !== 'status') || unknown.length || (pyIdx >= 0 && !python)) {
    const what = unknown.length ? `option ${unknown[0]}` : `command '${cmd}'`;
    const wrong = cmd && cmd !== 'help' && cmd !== '--help' ? `red-heart-mcp gpu: unknown ${what}\n` : '';
    io.out(`${wrong}${GPU_USAGE}`);
    return cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
  if (cmd === 'status') return gpuStatus(io, flags.has('--json'));
  return flags.has('--dry-run')
    ? dryRun(io, python, flags.has('--resolve'), flags.has('--json'))
    : setup(io, python, flags.has('--force'), flags.has('--json'));
}

/** Paths and versions of a setup, before anything is installed. */
export interface SetupPlan {
  platform: string;
  ort_version: string;
  requirement: string;
  home: string;
  venv: string;
  provider_dir: string;
  record: string;
  python: { path: string; version: string } | { error: string };
}

export function setupPlan(env: NodeJS.ProcessEnv, python?: string): SetupPlan {
  const home = gpuHome(env);
  const version = ortNodeVersion();
  return {
    platform: `${process.platform}/${process.arch}`,
    ort_version: version,
    requirement: `onnxruntime-gpu[cuda,cudnn]==${version}`,
    home,
    venv: join(home, 'venv'),
    provider_dir: join(home, `ort-${version}`),
    record: setupRecordPath(home),
    python: findPython(python),
  };
}

function findPython(explicit?: string): SetupPlan['python'] {
  const tried: string[] = [];
  for (const py of explicit ? [explicit] : ['python3', 'python']) {
    const r = spawnSync(py, ['-c', 'import sys, venv; print(sys.executable); print(sys.version.split()[0])'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status === 0) {
      const [path, version] = r.stdout.trim().split('\n');
      return { path, version };
    }
    tried.push(`${py}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return {
    error: `no Python 3 with the venv module found (${tried.join('; ')}): install Python 3 (with venv), or name it with --python PATH`,
  };
}

interface Download {
  name: string;
  version: string;
  url: string;
  bytes: number | null;
}

/** What pip would download (pip install --dry-run --report; only package metadata is fetched), with HTTP sizes. */
async function resolveDownloads(
  python: string,
  requirement: string,
): Promise<{ downloads: Download[] } | { error: string }> {
  const r = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--dry-run',
      '--ignore-installed',
      '--quiet',
      '--disable-pip-version-check',
      '--report',
      '-',
      requirement,
    ],
    {
      encoding: 'utf8',
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) {
    const why = (r.error?.message ?? r.stderr.trim().split('\n').slice(-2).join(' ')) || `exit ${r.status}`;
    return { error: `pip could not resolve ${requirement}: ${why}` };
  }
  let report: { install?: Array<{ metadata: { name: string; version: string }; download_info: { url: string } }> };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    return { error: 'pip printed no JSON report (pip 22.2 or newer is needed)' };
  }
  const items = report.install ?? [];
  const downloads = await Promise.all(
    items.map(async (i): Promise<Download> => {
      let bytes: number | null = null;
      try {
        const res = await fetch(i.download_info.url, { method: 'HEAD', signal: AbortSignal.timeout(20_000) });
        const len = Number(res.headers.get('content-length'));
        if (res.ok && Number.isFinite(len) && len > 0) bytes = len;
      } catch {
        // size unknown: shown as such
      }
      return { name: i.metadata.name, version: i.metadata.version, url: i.download_info.url, bytes };
    }),
  );
  return { downloads };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function dryRun(io: Io, python: string | undefined, resolve: boolean, json: boolean): Promise<number> {
  const refusal = cudaUnsupportedReason();
  if (refusal) return refuse(io, refusal);
  const plan = setupPlan(io.env, python);
  const resolved = !resolve
    ? { error: 'not resolved (add --resolve for the packages pip would install and their sizes)' }
    : 'path' in plan.python
      ? await resolveDownloads(plan.python.path, plan.requirement)
      : { error: plan.python.error };
  const installed = readGpuSetup(plan.home);
  if (json) {
    io.out(JSON.stringify({ dry_run: true, plan, installed, ...resolved }, null, 2));
    return resolve && 'error' in resolved ? 1 : 0;
  }
  const lines = [
    `red-heart-mcp gpu setup --dry-run: nothing is written${resolve ? '' : ' or downloaded'}`,
    `  platform        ${plan.platform}: onnxruntime-node ${plan.ort_version} has CUDA compiled in; the ` +
      `provider is built for CUDA ${CUDA_BUILD.cuda} (NVIDIA driver R${CUDA_BUILD.driver}+)`,
    `  python          ${'path' in plan.python ? `${plan.python.path} (${plan.python.version})` : plan.python.error}`,
    `  environment     ${plan.venv}${existsSync(plan.venv) ? ' (exists)' : ' (new)'}`,
    `  pip install     "${plan.requirement}"`,
  ];
  if ('error' in resolved) {
    lines.push(`  downloads       ${resolved.error}`);
  } else {
    const known = resolved.downloads.filter((d) => d.bytes !== null);
    const total = known.reduce((s, d) => s + (d.bytes ?? 0), 0);
    const unsized = resolved.downloads.length - known.length;
    lines.push(
      `  downloads       ${resolved.downloads.length} packages, ` +
        `${mb(total)}${unsized > 0 ? ` (+ ${unsized} of unknown size)` : ''}:`,
    );
    for (const d of resolved.downloads)
      lines.push(`    ${`${d.name} ${d.version}`.padEnd(36)} ${d.bytes === null ? 'size unknown' : mb(d.bytes)}`);
  }
  lines.push(
    `  provider dir    ${plan.provider_dir}: links to ${PROVIDER_LIBRARIES.join(', ')} in the environment and ` +
      "to onnxruntime-node's libonnxruntime.so.1 (node_modules is not written)",
    `  library path    the CLI restarts itself with LD_LIBRARY_PATH=${plan.provider_dir}${delimiter}<NVIDIA ` +
      'library directories> when --provider is cuda or auto',
    `  record          ${plan.record}${installed ? ` (exists: onnxruntime ${installed.ort_version}, ${installed.installed_at})` : ''}`,
  );
  io.out(lines.join('\n'));
  return resolve && 'error' in resolved ? 1 : 0;
}

function refuse(io: Io, reason: string): number {
  io.out(`red-heart-mcp gpu setup: ${reason}`);
  return 1;
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    // pip's progress goes to stderr: stdout stays for this command's own report
    const child = spawn(cmd, args, { stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function pyOut(python: string, code: string): string | null {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Directories under site-packages/nvidia holding shared libraries (nvidia/cu13/lib, nvidia/cudnn/lib, …). */
export function nvidiaLibDirs(sitePackages: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 3 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name === 'lib' && readdirSync(p).some((f) => /\.so(\.|$)/.test(f))) found.push(p);
      else walk(p, depth + 1);
    }
  };
  walk(join(sitePackages, 'nvidia'), 0);
  return found.sort();
}

async function setup(io: Io, pythonArg: string | undefined, force: boolean, json: boolean): Promise<number> {
  const refusal = cudaUnsupportedReason();
  if (refusal) return refuse(io, refusal);
  const plan = setupPlan(io.env, pythonArg);
  const say = (l: string) => {
    if (!json) io.out(l);
  };
  const venvPython = join(plan.venv, 'bin', 'python');
  mkdirSync(plan.home, { recursive: true });
  if (!existsSync(venvPython)) {
    if (!('path' in plan.python)) return refuse(io, plan.python.error);
    say(`creating ${plan.venv} with ${plan.python.path} (${plan.python.version})`);
    if ((await run(plan.python.path, ['-m', 'venv', plan.venv])) !== 0)
      return refuse(
        io,
        `${plan.python.path} -m venv ${plan.venv} failed (on Debian/Ubuntu: apt-get install python3-venv)`,
      );
  }
  const versionOf = (pkg: string) => pyOut(venvPython, `import importlib.metadata as m; print(m.version('${pkg}'))`);
  let sitePackages = pyOut(venvPython, "import sysconfig; print(sysconfig.get_paths()['purelib'])");
  if (!sitePackages) return refuse(io, `${venvPython} does not run: delete ${plan.venv} and run gpu setup again`);
  const t0 = performance.now();
  let installedNow = false;
  if (force || versionOf('onnxruntime-gpu') !== plan.ort_version || nvidiaLibDirs(sitePackages).length === 0) {
    say(
      `pip install "${plan.requirement}" into ${plan.venv} (about 2.5 GB installed; pip's progress follows on stderr)`,
    );
    const pipArgs = [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      ...(force ? ['--force-reinstall'] : []),
      plan.requirement,
    ];
    if ((await run(venvPython, pipArgs)) !== 0)
      return refuse(io, `pip install "${plan.requirement}" failed (its messages are above)`);
    installedNow = true;
    sitePackages = pyOut(venvPython, "import sysconfig; print(sysconfig.get_paths()['purelib'])") ?? sitePackages;
  } else {
    say(`onnxruntime-gpu ${plan.ort_version} is already installed in ${plan.venv} (--force reinstalls)`);
  }
  const libDirs = nvidiaLibDirs(sitePackages);
  const packages: Record<string, string> = {};
  const listing = pyOut(
    venvPython,
    "import importlib.metadata as m, json; print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))",
  );
  for (const [name, version] of Object.entries(JSON.parse(listing ?? '{}') as Record<string, string>)) {
    if (name === 'onnxruntime-gpu' || name.startsWith('nvidia-')) packages[name] = version;
  }
  const record: GpuSetupRecord = {
    ort_version: plan.ort_version,
    python: 'path' in plan.python ? plan.python.path : venvPython,
    venv: plan.venv,
    site_packages: sitePackages,
    provider_dir: plan.provider_dir,
    lib_dirs: libDirs,
    packages,
    installed_at: new Date().toISOString(),
  };
  try {
    linkProviderDir(record);
  } catch (err) {
    return refuse(io, (err as Error).message);
  }
  replaceFile(plan.record, `${JSON.stringify(record, null, 2)}\n`);
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  if (json) {
    io.out(JSON.stringify({ installed: installedNow, seconds, record }, null, 2));
  } else {
    io.out(
      [
        `${installedNow ? `installed in ${seconds} s` : 'nothing to install'}; recorded in ${plan.record}`,
        `  provider dir    ${plan.provider_dir}`,
        `  library path    ${cudaLibraryDirs(record).join(delimiter)}`,
        `  packages        ${Object.entries(packages)
          .map(([n, v]) => `${n} ${v}`)
          .join(', ')}`,
        `Start the server with --provider cuda (or auto); red-heart-mcp gpu status checks the driver.`,
      ].join('\n'),
    );
  }
  return 0;
}

/** What nvidia-smi says about the driver, or why it cannot say. */
export function driverStatus(): {
  answers: boolean;
  detail: string;
  gpus: Array<{ name: string; driver: string; memory: string }>;
} {
  const r = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      answers: false,
      detail: missing ? 'nvidia-smi not found: no NVIDIA driver is installed' : `nvidia-smi failed: ${r.error.message}`,
      gpus: [],
    };
  }
  if (r.status !== 0)
    return {
      answers: false,
      detail: `nvidia-smi exited ${r.status}: ${(r.stdout + r.stderr).trim().split('\n')[0]}`,
      gpus: [],
    };
  const gpus = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, driver, memory] = l.split(',').map((s) => s.trim());
      return { name, driver, memory };
    });
  const old = gpus.filter((g) => Number.parseInt(g.driver, 10) < CUDA_BUILD.driver);
  return {
    answers: true,
    detail: old.length
      ? `driver ${old[0].driver} is older than R${CUDA_BUILD.driver}: CUDA ${CUDA_BUILD.cuda} will not start (update the driver)`
      : `${gpus.length} GPU(s), driver ${gpus[0]?.driver ?? '?'}`,
    gpus,
  };
}

function gpuStatus(io: Io, json: boolean): number {
  const home = gpuHome(io.env);
  const rec = readGpuSetup(home);
  const version = ortNodeVersion();
  const unsupported = cudaUnsupportedReason();
  const problems: string[] = [];
  if (rec) {
    if (rec.ort_version !== version)
      problems.push(`set up for onnxruntime ${rec.ort_version}, onnxruntime-node is ${version}: run gpu setup again`);
    for (const lib of PROVIDER_LIBRARIES)
      if (!existsSync(join(rec.provider_dir, lib)))
        problems.push(`${join(rec.provider_dir, lib)} is missing or a broken link: run gpu setup again`);
    for (const d of rec.lib_dirs) if (!existsSync(d)) problems.push(`${d} is missing: run gpu setup again`);
  }
  const driver = driverStatus();
  const sizeOf = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return null;
    }
  };
  const status = {
    platform: `${process.platform}/${process.arch}`,
    cuda_build: unsupported ?? `onnxruntime-node ${version} (CUDA ${CUDA_BUILD.cuda}, driver R${CUDA_BUILD.driver}+)`,
    home,
    installed: rec !== null && problems.length === 0,
    setup: rec,
    provider_library_bytes: rec
      ? Object.fromEntries(PROVIDER_LIBRARIES.map((l) => [l, sizeOf(join(rec.provider_dir, l))]))
      : null,
    problems,
    driver,
  };
  if (json) {
    io.out(JSON.stringify(status, null, 2));
    return 0;
  }
  const installed = rec
    ? `${status.installed ? 'yes' : 'incomplete'}: onnxruntime-gpu ${rec.packages['onnxruntime-gpu'] ?? '?'} ` +
      `in ${rec.venv} (${rec.installed_at})`
    : `no (${setupRecordPath(home)} absent): run red-heart-mcp gpu setup`;
  io.out(
    [
      `platform        ${status.platform}: ${status.cuda_build}`,
      `installed       ${installed}`,
      ...problems.map((p) => `  problem       ${p}`),
      ...(rec ? [`library path    ${cudaLibraryDirs(rec).join(delimiter)}`] : []),
      `driver          ${driver.detail}`,
      ...driver.gpus.map((g) => `  gpu           ${g.name}, ${g.memory}`),
    ].join('\n'),
  );
  return 0;
}
