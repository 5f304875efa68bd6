// Reads an opened corpus file in fixed-size chunks and decodes UTF-8 incrementally (a BOM is dropped; bytes that
// are not UTF-8 become U+FFFD, which the parsers report as malformed rows). Only one chunk is in memory at a time.
import type { FileHandle } from 'node:fs/promises';
import { READ_CHUNK_BYTES } from '../../tools/corpus/limits.js';

export interface DecodedChunk {
  text: string;
  /** Bytes read so far (for progress messages). */
  bytesRead: number;
}

export async function* readChunks(handle: FileHandle, chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<DecodedChunk> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  const buf = Buffer.allocUnsafe(chunkBytes);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, chunkBytes, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
    if (text) yield { text, bytesRead: position };
  }
  const tail = decoder.decode();
  if (tail) yield { text: tail, bytesRead: position };
}

/** Splits an opened text file into lines, one chunk at a time (for reading back a per-row JSONL file). */
export async function* readLines(handle: FileHandle): AsyncGenerator<string> {
  let rest = '';
  for await (const { text } of readChunks(handle)) {
    const parts = (rest + text).split('\n');
    rest = parts.pop() as string;
    yield* parts;
  }
  if (rest) yield rest;
}
