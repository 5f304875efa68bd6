// LD_LIBRARY_PATH is read by the dynamic loader only when a process starts, and ONNX Runtime's core library is
// already loaded by then (the engine is imported statically). So when CUDA may be used (--provider cuda or auto,
// `gpu setup` done) and the path is not yet arranged, the CLI starts itself again with it and only relays: the
// child inherits stdin/stdout/stderr (the stdio transport is the child's), receives the parent's signals, and its
// exit status becomes the parent's.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import {
  cudaLibraryDirs,
  cudaUnsupportedReason,
  gpuHome,
  libraryPathArranged,
  linkProviderDir,
  ortNodeVersion,
  readGpuSetup,
} from '../engine/gpu-runtime.js';
import type { ProviderRequest } from '../engine/providers.js';

/** Set in the child, so a path that still does not take effect cannot cause a loop of restarts. */
const RELAUNCHED = 'RED_HEART_CUDA_RELAUNCHED';

/** The environment the server must run with for CUDA, or null when the current one will do. */
export function cudaEnvironment(
  provider: ProviderRequest,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv | null {
  if ((provider !== 'cuda' && provider !== 'auto') || env[RELAUNCHED] || cudaUnsupportedReason()) return null;
  const rec = readGpuSetup(gpuHome(env));
  if (!rec || rec.ort_version !== ortNodeVersion() || libraryPathArranged(rec, env)) return null;
  const rest = (env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean);
  return { ...env, LD_LIBRARY_PATH: [...cudaLibraryDirs(rec), ...rest].join(delimiter), [RELAUNCHED]: '1' };
}

/**
 * Restarts the CLI with the CUDA library path when it needs one; resolves true when it did (the caller then does
 * nothing more: the process exits with the child's status).
 */
export async function relaunchForCuda(provider: ProviderRequest, log: (msg: string) => void): Promise<boolean> {
  const env = cudaEnvironment(provider);
  if (!env) return false;
  const rec = readGpuSetup(gpuHome());
  try {
    if (rec) linkProviderDir(rec); // follows this install of onnxruntime-node
  } catch (err) {
    log(`CUDA provider directory not usable (${(err as Error).message}); starting without CUDA`);
    return false;
  }
  // its own process group: a terminal's Ctrl-C reaches only this process, which passes it on once (in one group
  // the child would get it twice, and a second signal means "exit without waiting")
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env,
    detached: true,
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  await new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      process.exitCode = code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1);
      resolve();
    });
    child.on('error', (err) => {
      log(`could not restart with the CUDA library path: ${err.message}`);
      process.exitCode = 1;
      resolve();
    });
  });
  return true;
}
