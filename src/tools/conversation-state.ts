// The `state` token: the ConversationState as JSON (numbers round-trip exactly), base64url-encoded, prefixed
// with a format tag and followed by its signature: HMAC-SHA256 under the installation secret (the server's
// TokenSigner, src/server/cache/secret.ts), so a token the server did not make (edited, forged, or from a server
// with another secret) is refused before it is read. It is bound to the model and to the conversation
// parameters: a token made by another model or parameter set is refused instead of mixing two scales. A signed
// token is still validated with the limits a turn has (speaker names 1..100 characters, at most maxSpeakers).
// (Lives in tools, not analysis: it validates with zod and speaks in ToolErrors.)
import { z } from 'zod';
import { CELLS, CONVERSATION_PARAMS, DIMS, type ConversationState } from '../analysis/conversation/index.js';
import { ToolError } from '../core/errors.js';
import type { TokenSigner } from './types.js';

const PREFIX = 'rhc2';
/** The unsigned format of earlier versions: refused with a message that says so. */
const UNSIGNED_PREFIX = 'rhc1';
/** Longest speaker name, in a turn and in a state token. */
export const MAX_SPEAKER_CHARS = 100;

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
  name: z.string().min(1).max(MAX_SPEAKER_CHARS),
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

/** Encodes and signs the state for a model (any string that identifies it, e.g. the model's sha256 prefix). */
export function encodeState(state: ConversationState, model: string, signer: TokenSigner): string {
  const data = Buffer.from(JSON.stringify({ model, params: PARAMS_FINGERPRINT, state }), 'utf8').toString('base64url');
  return `${PREFIX}.${data}.${signer.sign(`${PREFIX}.${data}`)}`;
}

export function decodeState(token: string, model: string, signer: TokenSigner): ConversationState {
  const parts = token.split('.');
  if (parts.length === 3 && parts[0] === UNSIGNED_PREFIX)
    throw new ToolError(
      'invalid_input',
      'state token is from an earlier server version (unsigned); send the whole conversation without state',
    );
  if (parts.length !== 3 || parts[0] !== PREFIX)
    throw new ToolError(
      'invalid_input',
      `state is not a conversation state token (expected '${PREFIX}.<data>.<signature>' as returned by analyze_conversation)`,
    );
  if (!signer.verify(`${PREFIX}.${parts[1]}`, parts[2])) {
    throw new ToolError(
      'invalid_input',
      'state token is damaged or was not made by this server (signature mismatch); send the token exactly as ' +
        'it was returned, or the whole conversation without state',
    );
  }
  const json = Buffer.from(parts[1], 'base64url').toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ToolError('invalid_input', 'state token does not hold valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ToolError(
      'invalid_input',
      `state token has an invalid structure (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`,
    );
  const { model: m, params, state } = parsed.data;
  if (m !== model)
    throw new ToolError(
      'invalid_input',
      `state was made with model ${m}, but the server now runs ${model}; send the whole conversation without state`,
    );
  if (params !== PARAMS_FINGERPRINT)
    throw new ToolError(
      'invalid_input',
      'state was made with other conversation parameters (another server version); send the whole conversation without state',
    );
  const n = state.speakers.length;
  if (state.prev && state.prev.speaker >= n)
    throw new ToolError('invalid_input', 'state token refers to an unknown speaker');
  for (const key of Object.keys(state.counts)) {
    const [i, j] = key.split('>').map(Number);
    if (i >= n || j >= n || i === j)
      throw new ToolError('invalid_input', `state token has an invalid speaker pair '${key}'`);
  }
  return state as ConversationState;
}
