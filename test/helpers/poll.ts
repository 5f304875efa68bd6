// Waiting for a condition instead of sleeping a fixed time: polls until `check` returns something other than
// undefined/false, or fails after the deadline naming what it waited for. Fast when the machine is idle, still
// correct when it is loaded.
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 15_000} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 25));
  }
}
