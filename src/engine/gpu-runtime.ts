// Where the CUDA provider of onnxruntime-node comes from and how ONNX Runtime finds it.
//
// onnxruntime-node's Linux x64 core library has CUDA compiled in, but its two provider libraries are not in the npm
// package. PyPI's `onnxruntime-gpu` wheel of the same version holds them (built for CUDA 13), and its extras bring
// NVIDIA's runtime libraries. `red-heart-mcp gpu setup` installs that wheel into a private Python environment and
// makes a provider directory: symbolic links to the npm core library and to the two provider libraries.
// ONNX Runtime loads providers from the directory its core library was loaded from (dladdr), and the binding's
// RUNPATH ($ORIGIN) is searched after LD_LIBRARY_PATH, so with the provider directory first on LD_LIBRARY_PATH the
// core library is loaded through the link and finds the providers beside it, without writing into node_modules.
// LD_LIBRARY_PATH is read only when a process starts: the CLI restarts itself with it (src/server/relaunch.ts).
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const PROVIDER_LIBRARIES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'] as const;
const CORE_LIBRARY = 'libonnxruntime.so.1';
/** The CUDA major version PyPI's onnxruntime-gpu is built for, and the driver it needs. */
export const CUDA_BUILD = { cuda: '13', driver: 580 } as const;

/** What `gpu setup` wrote (setup.json in the GPU directory). */
export interface GpuSetupRecord {
  /** onnxruntime-node version the provider libraries were installed for (onnxruntime-gpu is pinned to it). */
  ort_version: string;
  python: string;
  venv: string;
  site_packages: string;
  /** The provider directory (links to the npm core library and the two provider libraries). */
  provider_dir: string;
  /** NVIDIA runtime library directories from the wheels' extras. */
  lib_dirs: string[];
  packages: Record<string, string>;
  installed_at: string;
}

/** The GPU directory: RED_HEART_GPU_DIR, else red-heart-mcp/gpu in the user's cache directory. */
export function gpuHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RED_HEART_GPU_DIR) return env.RED_HEART_GPU_DIR;
  const base =
    process.platform === 'win32'
      ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'red-heart-mcp', 'gpu');
}

export const setupRecordPath = (home: string): string => join(home, 'setup.json');

const require = createRequire(import.meta.url);

/** The installed onnxruntime-node version (onnxruntime-gpu must be exactly this one). */
export function ortNodeVersion(): string {
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}

/** onnxruntime-node's native directory for this platform (where its core library is). */
export function ortNodeBinDir(platform: string = process.platform, arch: string = process.arch): string {
  return join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', platform, arch);
}

/** null when this platform has a CUDA build of onnxruntime-node; otherwise why not and what to use instead. */
export function cudaUnsupportedReason(platform: string = process.platform, arch: string = process.arch): string | null {
  if (platform === 'linux' && arch === 'x64') return null;
  const alt =
    platform === 'darwin'
      ? 'use --provider webgpu (Metal) or --provider coreml'
      : platform === 'win32'
        ? 'use --provider webgpu (D3D12) or --provider dml (DirectML)'
        : 'use --provider webgpu (Vulkan) or --provider cpu';
  return `onnxruntime-node has no CUDA build for ${platform}/${arch} (only linux/x64 has CUDA compiled in): ${alt}`;
}

export function readGpuSetup(home: string = gpuHome()): GpuSetupRecord | null {
  const file = setupRecordPath(home);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GpuSetupRecord;
  } catch {
    return null;
  }
}

/** The LD_LIBRARY_PATH entries CUDA needs, provider directory first. */
export function cudaLibraryDirs(rec: GpuSetupRecord): string[] {
  return [rec.provider_dir, ...rec.lib_dirs];
}

/** True when LD_LIBRARY_PATH already starts with the directories CUDA needs. */
export function libraryPathArranged(rec: GpuSetupRecord, env: NodeJS.ProcessEnv = process.env): boolean {
  const have = (env.LD_LIBRARY_PATH ?? '').split(delimiter);
  return cudaLibraryDirs(rec).every((d, i) => have[i] === d);
}

/**
 * Creates or refreshes the provider directory's links: the core library of the onnxruntime-node install that is
 * running (so a moved or reinstalled package is followed) and the wheel's two provider libraries.
 */
export function linkProviderDir(
  rec: Pick<GpuSetupRecord, 'provider_dir' | 'site_packages'>,
  ortBinDir: string = ortNodeBinDir(),
): void {
  mkdirSync(rec.provider_dir, { recursive: true });
  const targets: Record<string, string> = { [CORE_LIBRARY]: realpathSync(join(ortBinDir, CORE_LIBRARY)) };
  for (const lib of PROVIDER_LIBRARIES) targets[lib] = join(rec.site_packages, 'onnxruntime', 'capi', lib);
  for (const [name, target] of Object.entries(targets)) {
    if (!existsSync(target)) throw new Error(`${target} is missing: run red-heart-mcp gpu setup again`);
    const link = join(rec.provider_dir, name);
    if (isLinkTo(link, target)) continue;
    // replace atomically: a server starting at the same moment sees the old or the new link, never none
    const tmp = `${link}.${process.pid}.tmp`;
    symlinkSync(target, tmp);
    renameSync(tmp, link);
  }
}

function isLinkTo(link: string, target: string): boolean {
  try {
    return lstatSync(link).isSymbolicLink() && readlinkSync(link) === target;
  } catch {
    return false;
  }
}

/** Whether `auto` may try CUDA in this process, and if not why (recorded as the attempt's reason). */
export function cudaReadiness(
  env: NodeJS.ProcessEnv = process.env,
): { ready: true; setup: GpuSetupRecord } | { ready: false; reason: string } {
  const unsupported = cudaUnsupportedReason();
  if (unsupported) return { ready: false, reason: unsupported };
  const home = gpuHome(env);
  const rec = readGpuSetup(home);
  if (!rec) return { ready: false, reason: `not set up (no ${setupRecordPath(home)}): run red-heart-mcp gpu setup` };
  const version = ortNodeVersion();
  if (rec.ort_version !== version) {
    return {
      ready: false,
      reason: `set up for onnxruntime ${rec.ort_version}, but onnxruntime-node is ${version}: run red-heart-mcp gpu setup again`,
    };
  }
  if (!libraryPathArranged(rec, env)) {
    return {
      ready: false,
      reason:
        `LD_LIBRARY_PATH does not start with ${cudaLibraryDirs(rec).join(delimiter)}: start the server ` +
        `through the red-heart-mcp command, which sets it`,
    };
  }
  return { ready: true, setup: rec };
}

/**
 * A CUDA failure in words a user can act on (the first line of ONNX Runtime's message follows it). ONNX Runtime
 * says only "Failed to load shared library" when the provider library cannot be loaded; loading it again here
 * (process.dlopen) returns the loader's own reason, such as the driver library that is missing.
 */
export function explainCudaFailure(message: string, setup?: GpuSetupRecord): string {
  const driver = `a GPU with NVIDIA driver R${CUDA_BUILD.driver}+ is needed for CUDA ${CUDA_BUILD.cuda}`;
  if (/CUDA failure 35\b|driver version is insufficient/i.test(message))
    return `driver insufficient for CUDA ${CUDA_BUILD.cuda} (needs R${CUDA_BUILD.driver}+): ${message}`;
  if (/CUDA failure 100\b|no CUDA-capable device/i.test(message))
    return `no CUDA-capable device found (${driver}): ${message}`;
  if (/Failed to load shared library/i.test(message) && setup) {
    // in the order ONNX Runtime loads them: the shared provider library first, then CUDA's
    const why =
      [...PROVIDER_LIBRARIES]
        .reverse()
        .map((lib) => loaderError(join(setup.provider_dir, lib)))
        .find((e) => e !== null) ?? null;
    const missing = why?.match(/(\S+\.so[.\d]*): cannot open shared object file/)?.[1];
    if (missing === 'libcuda.so.1') return `no NVIDIA driver (libcuda.so.1 not found; ${driver}): ${message}`;
    if (missing) return `${missing} not found (run red-heart-mcp gpu setup again): ${message}`;
    if (why) return `${why}: ${message}`;
  }
  return message;
}

/** The dynamic loader's error for a library, or null when it loads. */
function loaderError(path: string): string | null {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, path);
    return null;
  } catch (err) {
    const msg = (err as Error).message;
    // Node loaded it and found no addon in it: the library itself loads
    return /self-register|did not self-register/i.test(msg) ? null : msg.split('\n')[0];
  }
}
