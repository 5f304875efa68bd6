// A tool call that takes a while on any machine here (about 2 s of CPU on one core): SURD of 40,000 scrambled
// samples (no short period, so the tables stay dense) from 4 sources × 8 bins with a 400-surrogate significance test,
// i.e. 2,000 decompositions of a 32,768-cell table (within the default surrogate work bound). A plain decomposition
// is no longer slow enough: the sparse path does the former 16.7 M-cell case in milliseconds.
// Used to have a call in flight while a test sends SIGTERM or waits for a timeout.
export function slowSurdArguments(): Record<string, unknown> {
  const src = Array.from({ length: 4 }, (_, j) =>
    Array.from({ length: 40_000 }, (_, i) => (Math.imul(i + 1, 0x9e3779b1 + 2 * j) >>> 0) % 1009),
  );
  return { target: src[0], sources: src, bins: 8, significance: { surrogates: 400 } };
}

/** The slow call as a JSON-RPC request; with a progress token the server reports progress once it runs. */
export function slowSurdRequest(
  id: number,
  progressToken?: string,
): {
  jsonrpc: '2.0';
  id: number;
  method: 'tools/call';
  params: { name: string; arguments: Record<string, unknown>; _meta?: { progressToken: string } };
} {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'surd_decompose',
      arguments: slowSurdArguments(),
      ...(progressToken ? { _meta: { progressToken } } : {}),
    },
  };
}
