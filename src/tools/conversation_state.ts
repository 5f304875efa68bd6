// The `state` token: the ConversationState as JSON (numbers round-trip exactly), base64url-encoded, prefixed
// with a format tag and followed by a checksum. It is bound to the model and to the conversation parameters:
// a token made by another model or parameter set is refused instead of mixing two scales. The checksum only
// catches damage in transit; the token is not signed, and a caller who edits it only changes their own result.
// (Lives in tools, not analysis: it validates with zod and speaks in ToolErrors.)
import { z } from 'zod';
import { CELLS, CONVERSATION_PARAMS, DIMS, type ConversationState } from '../analysis/conversation/index.js';
import { ToolError } from '../core/errors.js';

const PREFIX = 'rhc1';

/** FNV-1a, 32 bit, over UTF-16 code units: a checksum, not a signature. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export const PARAMS_FINGERPRINT = fnv1a(JSON.stringify(CONVERSATION_PARAMS));

const num = z.number().finite();
const vec = z.array(num).length(DIMS);
const lang = z.enum(['en', 'ko']);
const sums = z.object({ n: z.number().int().nonnegative(), sums: vec });
const speaker = z.object({
  name: z.string(),
  turns: z.number().int().positive(),
  level: z.object({ mean: vec, variance: num.positive() }),
  change: z.object({
    ref: sums,
    pending: sums.extend({ start: z.number().int().nonnegative() }).nullable(),
    stats: z.tuple([num, num, num, num]),
  }),
  total: vec,
  firstValence: num,
  lastTime: num.nullable(),
  lastBin: z.number().int().min(0).max(2),
  lastLanguage: lang,
  shifts: z.number().int().nonnegative(),
});
const schema = z.object({
  model: z.string(),
  params: z.string(),
  state: z.object({
    turns: z.number().int().nonnegative(),
    lastTime: num.nullable(),
    prev: z.object({ speaker: z.number().int().nonnegative(), bin: z.number().int().min(0).max(2) }).nullable(),
    speakers: z.array(speaker).max(CONVERSATION_PARAMS.maxSpeakers),
    counts: z.record(z.string().regex(/^\d+>\d+$/), z.array(z.number().int().nonnegative()).length(CELLS)),
  }),
});

/** Encodes the state for a model (any string that identifies it, e.g. the model's sha256 prefix). */
export function encodeState(state: ConversationState, model: string): string {
  const json = JSON.stringify({ model, params: PARAMS_FINGERPRINT, state });
  return `${PREFIX}.${Buffer.from(json, 'utf8').toString('base64url')}.${fnv1a(json)}`;
}

export function decodeState(token: string, model: string): ConversationState {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) throw new ToolError('invalid_input', `state is not a conversation state token (expected '${PREFIX}.<data>.<checksum>' as returned by analyze_conversation)`);
  const json = Buffer.from(parts[1], 'base64url').toString('utf8');
  if (fnv1a(json) !== parts[2]) throw new ToolError('invalid_input', 'state token is damaged (checksum mismatch); send the token exactly as it was returned, or the whole conversation without state');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ToolError('invalid_input', 'state token does not hold valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ToolError('invalid_input', `state token has an invalid structure (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  const { model: m, params, state } = parsed.data;
  if (m !== model) throw new ToolError('invalid_input', `state was made with model ${m}, but the server now runs ${model}; send the whole conversation without state`);
  if (params !== PARAMS_FINGERPRINT) throw new ToolError('invalid_input', 'state was made with other conversation parameters (another server version); send the whole conversation without state');
  const n = state.speakers.length;
  if (state.prev && state.prev.speaker >= n) throw new ToolError('invalid_input', 'state token refers to an unknown speaker');
  for (const key of Object.keys(state.counts)) {
    const [i, j] = key.split('>').map(Number);
    if (i >= n || j >= n || i === j) throw new ToolError('invalid_input', `state token has an invalid speaker pair '${key}'`);
  }
  return state as ConversationState;
}
