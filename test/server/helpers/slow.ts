// A tool call that takes a while on any machine here (seconds on one core): SURD of 20,000 samples
// with 7 sources × 8 bins, a joint table of 8^8 = 16.7 M cells (exactly the default surdMaxCells).
// Used to have a call in flight while a test sends SIGTERM or waits for a timeout.
export function slowSurdArguments(): Record<string, unknown> {
  const src = Array.from({ length: 7 }, (_, j) => Array.from({ length: 20_000 }, (_, i) => (i * (j + 3) * 7919) % 97));
  return { target: src[0], sources: src, bins: 8 };
}

/** The slow call as a JSON-RPC request; with a progress token the server reports progress once it runs. */
export function slowSurdRequest(id: number, progressToken?: string): { jsonrpc: '2.0'; id: number; method: 'tools/call'; params: { name: string; arguments: Record<string, unknown>; _meta?: { progressToken: string } } } {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'surd_decompose', arguments: slowSurdArguments(), ...(progressToken ? { _meta: { progressToken } } : {}) } };
}
