// Execution providers: which to try for a configured `provider`, why one cannot be used, and a cheap probe that
// creates a session for a one-node model, so an explicit provider that cannot load is found at start-up even with
// lazy loading. ONNX Runtime itself does not fall back: `executionProviders: ['cuda', 'cpu']` throws when CUDA
// cannot start, so every caller tries one provider at a time and records why each one failed.
import ort from 'onnxruntime-node';
import { cudaReadiness, explainCudaFailure, readGpuSetup } from './gpu-runtime.js';

export type ProviderName = 'cpu' | 'cuda' | 'coreml' | 'dml' | 'webgpu';
export type ProviderRequest = 'auto' | ProviderName;

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  /** Why it could not be used (first line of ONNX Runtime's message). */
  error?: string;
}

/**
 * ONNX Runtime's own stderr logging (process-wide; takes effect before the first session is created). Every ORT
 * failure reaches us as an exception that is logged through pino, so by default its duplicate console lines are
 * silenced; debug/trace log levels keep its warnings.
 */
let ortLoggingSet = false;
export function configureOrtLogging(appLogLevel: string): void {
  ort.env.logLevel = appLogLevel === 'debug' || appLogLevel === 'trace' ? 'warning' : 'fatal';
  ortLoggingSet = true;
}
/** Applies the default (quiet) ORT logging unless the handle configured it already. */
export function ensureOrtLogging(): void {
  if (!ortLoggingSet) configureOrtLogging('info');
}

/**
 * What `auto` tries on each platform, in order: the platform's own accelerator (CUDA only once `gpu setup` has
 * installed its libraries; CoreML, DirectML), then WebGPU (bundled in onnxruntime-node: Metal, D3D12, Vulkan), then CPU.
 */
export function autoCandidates(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): ProviderName[] {
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  if (platform === 'win32') return ['dml', 'webgpu', 'cpu'];
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'webgpu', 'cpu'];
  if (platform === 'linux') return ['webgpu', 'cpu'];
  return ['cpu'];
}

/** The providers to try, in order, for a configured `provider`. */
export function providerCandidates(requested: ProviderRequest): ProviderName[] {
  return requested === 'auto' ? autoCandidates() : [requested];
}

/** Why a provider cannot be tried in this process at all (null: try it). */
export function unavailableReason(provider: ProviderName): string | null {
  if (provider === 'cpu') return null;
  if (!knownBackends().includes(provider)) {
    return (
      `onnxruntime-node ${ort.env.versions?.common ?? ''} has no '${provider}' backend on ` +
      `${process.platform}/${process.arch} (available: ${knownBackends().join(', ')})`
    );
  }
  if (provider === 'cuda') {
    const cuda = cudaReadiness();
    if (!cuda.ready) return cuda.reason;
  }
  return null;
}

/** Why creating a session on a provider failed, in words a user can act on. */
export function failureReason(provider: ProviderName, err: unknown): string {
  // ORT's failed checks read "/onnxruntime_src/…/file.cc:136 <function> <condition> was false. <message>": keep the message
  const line = firstLine(err).replace(/^\/onnxruntime_src\/\S+:\d+ .*? was false\. /, '');
  return provider === 'cuda' ? explainCudaFailure(line, readGpuSetup() ?? undefined) : line;
}

/** "cuda: …; webgpu: …" for the attempts that failed, or null when none did. */
export function describeFailures(attempts: readonly ProviderAttempt[]): string | null {
  const failed = attempts.filter((a) => !a.ok);
  return failed.length ? failed.map((a) => `${a.provider}: ${a.error}`).join('; ') : null;
}

/** Backends this onnxruntime-node build knows about (bundled or loadable from an extra install). */
export function knownBackends(): string[] {
  try {
    return ort.listSupportedBackends().map((b) => b.name);
  } catch {
    return ['cpu'];
  }
}

export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // ORT messages can carry ANSI colour codes and long paths; keep the first meaningful line.
  const clean = msg.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '').trim();
  return (clean.split('\n').find((l) => l.trim()) ?? clean).slice(0, 400);
}

// --- a one-node ONNX model (Identity on float32[1]) encoded by hand, for probing providers ---
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
function field(num: number, payload: number[] | string | number): number[] {
  if (typeof payload === 'number') return [...varint(num * 8), ...varint(payload)];
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload, 'utf8')] : payload;
  return [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
}
function probeModel(): Uint8Array {
  // TypeProto.tensor_type{elem_type=FLOAT, shape{dim{dim_value=1}}}
  const tensorType = field(1, [...field(1, 1), ...field(2, field(1, field(1, 1)))]);
  const valueInfo = (name: string) => [...field(1, name), ...field(2, tensorType)];
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Identity')];
  const graph = [...field(1, node), ...field(2, 'probe'), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  const opset = [...field(1, ''), ...field(2, 17)];
  return Uint8Array.from([...field(1, 8), ...field(7, graph), ...field(8, opset)]);
}

/** Tries to create (and run) a session for a one-node model with exactly this provider. */
export async function probeProvider(provider: ProviderName): Promise<ProviderAttempt> {
  ensureOrtLogging();
  const unavailable = unavailableReason(provider);
  if (unavailable) return { provider, ok: false, error: unavailable };
  try {
    const session = await ort.InferenceSession.create(probeModel(), {
      executionProviders: [provider],
      logSeverityLevel: 4,
    });
    try {
      await session.run({ x: new ort.Tensor('float32', Float32Array.from([1]), [1]) });
    } finally {
      await session.release();
    }
    return { provider, ok: true };
  } catch (err) {
    return { provider, ok: false, error: failureReason(provider, err) };
  }
}
