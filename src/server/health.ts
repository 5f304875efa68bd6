// What /healthz shows besides status and uptime: small and without secrets (it answers without auth), and whether
// the server is healthy: not when the inference worker or the SURD threads crashed too often and are no longer
// replaced (then /healthz answers 503 and red-heart://status says why). A model that failed to load is reported
// (engine.state 'error') but keeps the server healthy: the exact tools still serve.
import type { AppConfig } from './config.js';

export function healthFields(
  config: AppConfig,
  status: Record<string, unknown>,
): Record<string, unknown> & { healthy: boolean } {
  const cache = status.cache as { backend?: string; degraded?: string | null } | undefined;
  const engine = status.engine as
    { state?: string; model?: { id?: string } | null; error?: { message?: string } | null } | undefined;
  const surd = (status.workers as { surd?: { failed?: string | null } | null } | undefined)?.surd;
  const failing = [
    engine?.state === 'failed' ? (engine.error?.message ?? 'the engine failed') : null,
    surd?.failed ?? null,
  ].filter((f): f is string => !!f);
  return {
    healthy: failing.length === 0,
    version: status.version,
    cache: { backend: cache?.backend ?? config.cache.backend, degraded: cache?.degraded ?? null },
    engine: { state: engine?.state ?? null, model: engine?.model?.id ?? null },
    ...(failing.length > 0 ? { failing } : {}),
  };
}
