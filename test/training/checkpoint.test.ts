// The committed training checkpoint: ONE fp16 safetensors file under training/checkpoints/,
// at most 70 MB, so any machine can continue training. Reads only the safetensors header (no torch, no Python).
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', '..', 'training', 'checkpoints');
const MAX_BYTES = 70 * 1024 * 1024;

interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function readHeader(path: string): { headerBytes: number; header: Record<string, unknown> } {
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, 8);
    return { headerBytes: n, header: JSON.parse(buf.toString('utf8')) as Record<string, unknown> };
  } finally {
    closeSync(fd);
  }
}

describe('committed training checkpoint', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.safetensors'));

  it('is exactly one safetensors file of at most 70 MB', () => {
    expect(files).toHaveLength(1);
    expect(statSync(join(DIR, files[0]!)).size).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('holds only fp16 tensors that tile the data section, and says where it came from', () => {
    const path = join(DIR, files[0]!);
    const { headerBytes, header } = readHeader(path);
    const meta = header.__metadata__ as Record<string, string>;
    for (const key of ['format', 'provenance', 'created']) expect(typeof meta[key]).toBe('string');
    const tensors = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, TensorInfo][];
    expect(tensors.length).toBeGreaterThan(0);
    let end = 0;
    for (const [name, t] of [...tensors].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
      expect(t.dtype, name).toBe('F16');
      expect(t.data_offsets[0], name).toBe(end);
      expect(t.data_offsets[1] - t.data_offsets[0], name).toBe(2 * t.shape.reduce((a, b) => a * b, 1));
      end = t.data_offsets[1];
    }
    expect(8 + headerBytes + end).toBe(statSync(path).size);
  });
});
