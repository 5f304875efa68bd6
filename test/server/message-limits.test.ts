// Message size limits that answer, on both transports, at limit − 1, limit and limit + 1 bytes: the oversized
// message gets a JSON-RPC error naming the limit and its setting, and the server keeps serving. On stdio a message
// past the SDK's old fixed 10 MiB buffer used to close the connection without a word.
import { describe, expect, it } from 'vitest';
import { topLevelId } from '../../src/server/stdio-transport.js';
import { RawStdioServer } from '../fuzz/raw-stdio.js';
import { FIXTURE_MODELS, rawPost, startHttpProcess } from './helpers/http.js';

const LIMIT = 4096;

/** A ping with `id`, padded with spaces (valid JSON whitespace) to exactly `bytes` bytes. */
function ping(id: number, bytes: number): string {
  const bare = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
  return bare.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(bare)) + '}';
}

describe('stdio message limit', () => {
  it('answers limit − 1 and limit bytes, refuses limit + 1 with an error naming the limit, and keeps serving', async () => {
    const srv = new RawStdioServer({
      RED_HEART_MODELS_DIR: FIXTURE_MODELS,
      RED_HEART_MAX_MESSAGE_BYTES: String(LIMIT),
    });
    try {
      await srv.initialize();
      expect(Buffer.byteLength(ping(1, LIMIT - 1))).toBe(LIMIT - 1);
      expect(await srv.request(1, ping(1, LIMIT - 1))).toMatchObject({ id: 1, result: {} });
      expect(await srv.request(2, ping(2, LIMIT))).toMatchObject({ id: 2, result: {} });
      const over = await srv.request(3, ping(3, LIMIT + 1));
      expect(over.error?.code).toBe(-32600);
      expect(over.error?.message).toBe(
        `message of ${LIMIT + 1} bytes exceeds the limit of ${LIMIT} bytes (--max-message-bytes / RED_HEART_MAX_MESSAGE_BYTES); it was skipped, send a smaller one`,
      );
      // a message many times the limit, arriving in many chunks, is skipped the same way
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 4,
        method: 'tools/call',
        params: { name: 'analyze_emotion', arguments: { text: 'x'.repeat(200_000) } },
      });
      expect((await srv.request(4, huge)).error?.message).toMatch(
        new RegExp(`message of ${Buffer.byteLength(huge)} bytes exceeds the limit of ${LIMIT} bytes`),
      );
      // still serving, and a tool call works
      expect(await srv.request(5, ping(5, 100))).toMatchObject({ id: 5, result: {} });
      const call = await srv.request(
        6,
        JSON.stringify({
          jsonrpc: '2.0',
          id: 6,
          method: 'tools/call',
          params: {
            name: 'regret_forecast',
            arguments: { options: [{ name: 'a' }, { name: 'b' }], scenarios: [{ name: 'x' }], outcomes: [[1], [2]] },
          },
        }),
      );
      expect(call.result?.isError).toBeFalsy();
      expect(srv.alive).toBe(true);
      expect(srv.junk).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('with the default limit (64 MiB) an 11 MB message is read and answered, not a closed connection', async () => {
    const srv = new RawStdioServer({ RED_HEART_MODELS_DIR: FIXTURE_MODELS });
    try {
      await srv.initialize();
      const text = 'a'.repeat(11 * 1024 * 1024);
      const answer = await srv.request(
        7,
        JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'analyze_emotion', arguments: { text } },
        }),
        60_000,
      );
      // read and validated: the text limit (20,000 characters) answers, as it would for any over-long text
      expect(answer.result?.isError ?? answer.error !== undefined).toBe(true);
      expect(JSON.stringify(answer)).toMatch(/20000/);
      expect(await srv.request(8, ping(8, 64))).toMatchObject({ id: 8, result: {} });
    } finally {
      await srv.close();
    }
  });

  it('finds the request id of a skipped message only at the top level', () => {
    const head = (s: string) => Buffer.from(s);
    expect(topLevelId(head('{"jsonrpc":"2.0","id":42,"method":"x"'))).toBe(42);
    expect(topLevelId(head('{"jsonrpc":"2.0","method":"x","params":{"id":7,"a":"}"},"id":"r-1"'))).toBe('r-1');
    expect(topLevelId(head('{"params":{"id":7},"text":"aaaa'))).toBeNull();
    expect(topLevelId(head('{"s":"\\"id\\":3","id":-5'))).toBe(-5);
  });
});

describe('HTTP message limit', () => {
  it('answers limit − 1 and limit bytes, refuses limit + 1 with 413 naming the limit, and keeps serving', async () => {
    const srv = await startHttpProcess({
      env: { RED_HEART_MODELS_DIR: FIXTURE_MODELS, RED_HEART_MAX_BODY_BYTES: String(LIMIT) },
    });
    try {
      for (const [id, bytes] of [
        [1, LIMIT - 1],
        [2, LIMIT],
      ]) {
        const r = await rawPost(srv.url, ping(id, bytes));
        expect(r.status, r.text.slice(0, 200)).toBe(200);
        expect(r.text).toMatch(new RegExp(`"id":${id}`));
      }
      const over = await rawPost(srv.url, ping(3, LIMIT + 1));
      expect(over.status).toBe(413);
      expect((over.json as { error: { message: string } }).error.message).toBe(
        `request body exceeds the limit of ${LIMIT} bytes (max body bytes, --max-body-bytes / RED_HEART_MAX_BODY_BYTES)`,
      );
      const after = await rawPost(srv.url, ping(4, 64));
      expect(after.status).toBe(200);
      expect((await fetch(`${srv.base}/healthz`)).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });
});
