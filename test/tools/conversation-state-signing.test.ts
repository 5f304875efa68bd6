// The conversation `state` token is signed (HMAC-SHA256 under the installation secret): a token the server did not
// make is refused before it is read, whatever it carries. A signed token is still held to the limits of a turn.
// Speaker names are keys of a Map, so `__proto__` and `constructor` are ordinary names.
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/core/errors.js';
import { analyzeConversationTool } from '../../src/tools/analyze-conversation.js';
import { encodeState, fnv1a } from '../../src/tools/conversation-state.js';
import { fakeEngine } from '../helpers/fake-engine.js';
import { testSigner, toolContext } from '../helpers/tool-context.js';

const engine = fakeEngine(() => ({ go: { joy: 0.8, neutral: 0.2 }, vad: [3.6, 3.2, 3] }));
const run = (args: Record<string, unknown>) =>
  analyzeConversationTool.handler(analyzeConversationTool.input.parse(args), toolContext(engine));
const turns = [
  { speaker: 'Ann', text: 'That sounds fine to me' },
  { speaker: 'Bo', text: 'I agree, thanks' },
];

/** The payload of a token: { model, params, state }. */
const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
const b64 = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
/** A token with one speaker renamed, made the way a forger would: the earlier format's checksum recomputed, or signed with a guessed key. */
function forged(token: string, name: string): { checksummed: string; guessedKey: string } {
  const p = payload(token);
  p.state.speakers[0].name = name;
  const json = JSON.stringify(p);
  const data = b64(json);
  return {
    checksummed: `rhc1.${data}.${fnv1a(json)}`,
    guessedKey: `rhc2.${data}.${testSigner('not-the-installation-key').sign(`rhc2.${data}`)}`,
  };
}
async function refusal(args: Record<string, unknown>): Promise<ToolError> {
  try {
    await run(args);
  } catch (err) {
    if (err instanceof ToolError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

describe('conversation state tokens', () => {
  it('a forged state with a 140,000-character speaker or <script> is refused, in either forged form', async () => {
    const { structured } = await run({ turns });
    for (const name of ['x'.repeat(140_000), '<script>alert(1)</script>']) {
      const f = forged(structured.state, name);
      for (const token of [f.checksummed, f.guessedKey]) {
        const err = await refusal({ turns: [{ speaker: 'Ann', text: 'and again' }], state: token });
        expect(err.code).toBe('invalid_input');
        expect(err.message).toMatch(/signature mismatch|earlier server version \(unsigned\)/);
        expect(err.message).not.toContain('<script>');
      }
    }
  });

  it("a token signed with the installation key is still held to a turn's limits", async () => {
    const { structured } = await run({ turns });
    const p = payload(structured.state);
    p.state.speakers[0].name = 'x'.repeat(140_000);
    const token = encodeState(p.state, p.model, testSigner());
    const err = await refusal({ turns: [{ speaker: 'Ann', text: 'and again' }], state: token });
    expect(err.message).toMatch(/invalid structure \(state\.speakers\.0\.name: .*100/);
  });

  it('an untouched token continues the conversation', async () => {
    const first = await run({ turns });
    const next = await run({ turns: [{ speaker: 'Bo', text: 'sounds good' }], state: first.structured.state });
    expect(next.structured.speakers.Bo.turns).toBe(2);
  });

  it('__proto__ and constructor are ordinary speaker names, in the output and across a state', async () => {
    const names = [
      { speaker: '__proto__', text: 'That sounds fine to me' },
      { speaker: 'constructor', text: 'I agree' },
      { speaker: '__proto__', text: 'Good' },
    ];
    const { structured, summary } = await run({ turns: names });
    expect(Object.keys(structured.speakers)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(structured.speakers, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(structured.speakers)).toBe(Object.prototype);
    expect(structured.speakers['__proto__'].turns).toBe(2);
    const wire = JSON.parse(JSON.stringify(structured)).speakers; // as a client reads it
    expect(Object.hasOwn(wire, '__proto__') && wire['__proto__'].turns).toBe(2);
    expect(summary).toMatch(/__proto__: 2 turns/);
    const next = await run({ turns: [{ speaker: '__proto__', text: 'Still fine' }], state: structured.state });
    expect(next.structured.speakers['__proto__'].turns).toBe(3);
    expect(analyzeConversationTool.output.safeParse(next.structured).success).toBe(true);
  });
});
