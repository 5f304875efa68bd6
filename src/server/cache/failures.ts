// What the result cache never stores: a result that carries a failure. full_analysis answers even when a section
// fails (the failed section says why), and such an answer is no answer to keep: the failure may be passing (a model
// being replaced, a crashed worker, a timeout) and a stored copy would be served for the whole TTL, to every replica.
// A refusal of one text of a batch for what the text is (empty, or in a language the model does not read) depends
// only on the text and the model, both in the key: that result is kept.
const TEXT_REFUSALS = new Set(['empty_text', 'unsupported_language']);
/** Deep enough for sections.<name>.error and results[i].error (and a section's per-item errors). */
const MAX_DEPTH = 5;

const isError = (v: unknown): v is { code: string } =>
  !!v && typeof v === 'object' && typeof (v as { code?: unknown }).code === 'string';

/** The code of the first failure a structured result carries, or null when it may be cached. */
export function failureIn(structured: Record<string, unknown>): string | null {
  const sections = structured.sections;
  if (sections && typeof sections === 'object') {
    for (const s of Object.values(sections))
      if (s && typeof s === 'object' && isError((s as { error?: unknown }).error))
        return (s as { error: { code: string } }).error.code;
  }
  return walk(structured, 0);
}

function walk(v: unknown, depth: number): string | null {
  if (!v || typeof v !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = walk(x, depth + 1);
      if (found) return found;
    }
    return null;
  }
  const error = (v as { error?: unknown }).error;
  if (isError(error) && !TEXT_REFUSALS.has(error.code)) return error.code;
  for (const x of Object.values(v)) {
    if (x && typeof x === 'object') {
      const found = walk(x, depth + 1);
      if (found) return found;
    }
  }
  return null;
}
