// The in-memory search matrix of one model's records. Records are kept in blocks by their flags (kind, and which
// label sets they have labels in), each block one contiguous int8 matrix with the records' ids and times: a search
// filtered by kind or labels (analyze_emotion's memory block reads labelled cases, regret_forecast's decisions)
// runs usearch's exact SIMD inner-product kernel over whole blocks with nothing copied, and only a tag or time
// filter copies the rows it keeps. Filters need no SQL but the tag lookup (docs/memory.md: speed).
import { createRequire } from 'node:module';
import type usearchModule from 'usearch';
import { cosineInt8 } from '../../analysis/memory/index.js';
import type { MemoryFilter, MemoryLabels } from '../../tools/memory-service.js';

// usearch (a native module) loads at the first search, not at import: a server with memory off never loads it.
let usearchLoaded: typeof usearchModule | null = null;
function usearch(): typeof usearchModule {
  usearchLoaded ??= createRequire(import.meta.url)('usearch') as typeof usearchModule;
  return usearchLoaded;
}

/** Bits of a record's flags: the label sets it has at least one label in, and whether it is a decision. */
const LABEL_BIT: Record<keyof MemoryLabels, number> = { goemotions: 1, kote: 2, ekman: 4 };
const ANY_LABEL = 1 | 2 | 4;
const DECISION = 8;
const FLAG_VALUES = 16;

/** The flags of a record: labels per set (a set with an empty list does not count) and its kind. */
export function rowFlags(kind: 'case' | 'decision', labels: MemoryLabels): number {
  let f = kind === 'decision' ? DECISION : 0;
  for (const key of Object.keys(LABEL_BIT) as Array<keyof MemoryLabels>) if (labels[key]?.length) f |= LABEL_BIT[key];
  return f;
}

/** The records of one flags value: row i holds the vector of ids[i], in the order they were added. */
class Block {
  n = 0;
  data: Int8Array;
  ids: Float64Array;
  times: Float64Array;

  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    const c = Math.max(16, capacity);
    this.data = new Int8Array(c * dim);
    this.ids = new Float64Array(c);
    this.times = new Float64Array(c);
  }

  append(id: number, vector: Int8Array, time: number): number {
    if (this.n === this.ids.length) {
      const c = this.n * 2;
      const data = new Int8Array(c * this.dim);
      data.set(this.data);
      const ids = new Float64Array(c);
      ids.set(this.ids);
      const times = new Float64Array(c);
      times.set(this.times);
      Object.assign(this, { data, ids, times });
    }
    const row = this.n++;
    this.data.set(vector, row * this.dim);
    this.ids[row] = id;
    this.times[row] = time;
    return row;
  }

  vector(row: number): Int8Array {
    return this.data.subarray(row * this.dim, (row + 1) * this.dim);
  }
}

/** Which rows of which blocks a filter keeps: `rows` null = the whole block. */
export type Selection = Array<{ block: number; rows: Int32Array | null }>;

export class SearchMatrix {
  private readonly blocks: Array<Block | undefined> = new Array(FLAG_VALUES);
  /** id → row · FLAG_VALUES + flags (where the record's vector is). */
  private readonly where = new Map<number, number>();
  /** Reused for the rows a tag or time filter keeps (copied together, so the kernel reads them as one matrix). */
  private scratch = new Int8Array(0);

  constructor(
    readonly model: string,
    readonly dim: number,
    /** Records expected per flags value (sizes each block when it is created; it grows as needed). */
    private readonly capacity: readonly number[] = [],
  ) {}

  /** Records held. */
  get n(): number {
    return this.where.size;
  }

  /** Adds a record's row; a vector of another width (not this model's) is left out and false returned. */
  append(id: number, vector: Int8Array, time: number, flags: number): boolean {
    if (vector.length !== this.dim || this.where.has(id)) return false;
    const block = (this.blocks[flags] ??= new Block(this.dim, this.capacity[flags] ?? 0));
    this.where.set(id, block.append(id, vector, time) * FLAG_VALUES + flags);
    return true;
  }

  /**
   * The rows that pass the filter. `tagged`: the ids that carry one of the filter's tags (from the store's tag
   * table), when it has tags. `labelled: 'any'` means labels in at least one of the three sets the votes count
   * (GoEmotions, KOTE, Ekman).
   */
  select(filter: MemoryFilter, tagged?: readonly number[]): Selection {
    let need = 0;
    if (filter.labelled) need = filter.labelled === 'any' ? ANY_LABEL : LABEL_BIT[filter.labelled];
    const kind = filter.kind === undefined ? -1 : filter.kind === 'decision' ? DECISION : 0;
    const flagsPass = (f: number) => (need === 0 || (f & need) !== 0) && (kind < 0 || (f & DECISION) === kind);
    const since = filter.since ?? -Infinity;
    const until = filter.until ?? Infinity;
    const out: Selection = [];
    if (filter.tags) {
      const rows = new Map<number, number[]>();
      for (const id of tagged ?? []) {
        const at = this.where.get(id);
        if (at === undefined) continue;
        const f = at % FLAG_VALUES;
        const row = (at - f) / FLAG_VALUES;
        const t = (this.blocks[f] as Block).times[row];
        if (!flagsPass(f) || t < since || t > until) continue;
        const list = rows.get(f);
        if (list) list.push(row);
        else rows.set(f, [row]);
      }
      for (const [block, r] of rows) out.push({ block, rows: Int32Array.from(r.sort((a, b) => a - b)) });
      return out;
    }
    const timed = filter.since !== undefined || filter.until !== undefined;
    this.blocks.forEach((b, f) => {
      if (!b || b.n === 0 || !flagsPass(f)) return;
      if (!timed) return void out.push({ block: f, rows: null });
      const rows = new Int32Array(b.n);
      let m = 0;
      for (let row = 0; row < b.n; row++) if (b.times[row] >= since && b.times[row] <= until) rows[m++] = row;
      if (m === b.n) out.push({ block: f, rows: null });
      else if (m > 0) out.push({ block: f, rows: rows.subarray(0, m) });
    });
    return out;
  }

  /** How many records a selection holds. */
  count(selection: Selection): number {
    return selection.reduce((s, p) => s + (p.rows ? p.rows.length : (this.blocks[p.block] as Block).n), 0);
  }

  /**
   * The k records most similar to `query` among the selected rows: each block's k best by usearch's exact int8
   * inner product (stored vectors all have norm ≈ 127, so its order is the cosine order), then the exact cosine of
   * the two int8 vectors; most similar first, ties by id.
   */
  search(query: Int8Array, k: number, selection: Selection): Array<{ id: number; similarity: number }> {
    const dim = this.dim;
    if (query.length !== dim) throw new RangeError(`a ${query.length}-d query for ${dim}-d vectors`);
    if (k < 1) return [];
    // usearch reads a typed array from the start of its buffer, whatever its byteOffset: give it unshared arrays
    const q = query.byteOffset === 0 ? query : query.slice();
    const out: Array<{ id: number; similarity: number }> = [];
    for (const { block: f, rows } of selection) {
      const b = this.blocks[f] as Block;
      const count = rows ? rows.length : b.n;
      if (count === 0) continue;
      let data: Int8Array;
      if (rows) {
        if (this.scratch.length < count * dim) this.scratch = new Int8Array(count * dim);
        const from = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
        const to = Buffer.from(this.scratch.buffer, this.scratch.byteOffset, this.scratch.byteLength);
        for (let j = 0; j < count; j++) from.copy(to, j * dim, rows[j] * dim, (rows[j] + 1) * dim);
        data = this.scratch.subarray(0, count * dim);
      } else data = b.data.subarray(0, count * dim);
      const found = usearch().exactSearch(data, q, dim, Math.min(k, count), 'ip' as never, 1) as {
        keys: BigUint64Array;
      };
      for (const key of found.keys) {
        const j = Number(key);
        if (j >= count) continue; // usearch pads a short answer
        const row = rows ? rows[j] : j;
        out.push({ id: b.ids[row], similarity: cosineInt8(query, b.vector(row)) });
      }
    }
    return out.sort((a, b) => b.similarity - a.similarity || a.id - b.id).slice(0, k);
  }
}
