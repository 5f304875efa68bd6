// The stdio transport: newline-delimited JSON-RPC on stdin/stdout, like the SDK's StdioServerTransport, with one
// difference that matters: a message longer than the limit (--max-message-bytes) is skipped up to its newline and
// answered with a JSON-RPC error naming the limit, and the server keeps reading. (The SDK's reader throws past its
// fixed 10 MiB buffer and closes the transport without a word.) Lines are collected as a list of chunks, so a
// large message costs one copy, not one per chunk.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC "invalid request": the message was not read at all. */
export const MESSAGE_TOO_LARGE_CODE = -32600;
/** Sees each message read and each one about to be sent; `outgoing` returning false drops it (start-snapshot.ts). */
export interface TransportObserver {
  incoming(message: JSONRPCMessage): void;
  outgoing(message: JSONRPCMessage): boolean;
}

/** How much of an oversized message is kept to find its id. */
const HEAD_BYTES = 4096;

export class LimitedStdioTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  private parts: Buffer[] = [];
  private size = 0;
  /** Set while skipping an oversized message: its first bytes (for the id) and its length so far. */
  private skipping: { head: Buffer; bytes: number; last: number } | null = null;
  private started = false;

  constructor(
    private readonly maxBytes: number,
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly observer?: TransportObserver,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio transport is already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.parts = [];
    this.size = 0;
    this.skipping = null;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.observer && !this.observer.outgoing(message)) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  private readonly onStreamError = (err: Error) => this.onerror?.(err);

  private readonly onData = (chunk: Buffer | string) => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      const piece = nl < 0 ? buf : buf.subarray(0, nl);
      this.take(piece);
      if (nl < 0) return;
      this.endOfLine();
      buf = buf.subarray(nl + 1);
    }
  };

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping) {
      if (this.skipping.head.length < HEAD_BYTES)
        this.skipping.head = Buffer.concat([
          this.skipping.head,
          piece.subarray(0, HEAD_BYTES - this.skipping.head.length),
        ]);
      this.skipping.bytes += piece.length;
      this.skipping.last = piece[piece.length - 1];
      return;
    }
    if (this.size + piece.length > this.maxBytes) {
      const head = Buffer.concat([...this.parts, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES);
      this.skipping = { head, bytes: this.size + piece.length, last: piece[piece.length - 1] };
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private endOfLine(): void {
    const skipped = this.skipping;
    if (skipped) {
      this.skipping = null;
      const bytes = skipped.bytes - (skipped.last === 0x0d ? 1 : 0);
      void this.send({
        jsonrpc: '2.0',
        id: topLevelId(skipped.head) as string | number,
        error: {
          code: MESSAGE_TOO_LARGE_CODE,
          message:
            `message of ${bytes} bytes exceeds the limit of ${this.maxBytes} bytes (--max-message-bytes / ` +
            'RED_HEART_MAX_MESSAGE_BYTES); it was skipped, send a smaller one',
          data: { limit_bytes: this.maxBytes, message_bytes: bytes },
        },
      } as JSONRPCMessage);
      return;
    }
    const line = Buffer.concat(this.parts, this.size).toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (err) {
      this.onerror?.(err as Error);
      return;
    }
    this.observer?.incoming(message);
    this.onmessage?.(message);
  }
}

/**
 * The `id` member of the top-level object in the first bytes of a message, or null when it is not there (or not
 * a number or string). Only keys at depth 1 count: an "id" inside params is not the request's id.
 */
export function topLevelId(head: Buffer): string | number | null {
  const text = head.toString('utf8');
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      if (depth === 1 && text.slice(i, end + 1) === '"id"') {
        const value = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")/.exec(text.slice(end + 1));
        if (value) return JSON.parse(value[1]) as string | number;
      }
      i = end;
    }
  }
  return null;
}

/** Index of the quote that closes the string opening at `start`, or -1 if it does not close within the text. */
function stringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  return -1;
}
