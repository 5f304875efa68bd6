// Counts the parameters of an ONNX model from its graph initializers by walking the protobuf directly
// (ModelProto.graph = field 7; GraphProto.initializer = field 5, sparse_initializer = field 15;
// TensorProto.dims = field 1, data_type = field 2; SparseTensorProto.dims = field 3). Only the fields
// needed are decoded; everything else is skipped by wire type.

const DATA_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
  21: 'uint4',
  22: 'int4',
};

export interface ParameterCount {
  /**
   * Elements of all initializers (dense and sparse) except quantisation scales and zero points (names ending in
   * `_scale` / `_zero_point`, as written by onnxruntime's quantizer): the model's weights.
   */
  parameters: number;
  /** Elements of the quantisation scale / zero-point initializers (not counted as parameters). */
  quantizationParams: number;
  /** Number of initializer tensors. */
  tensors: number;
  /** Elements per element type, e.g. { int8: 21_000_000, float32: 400_000 }. */
  byType: Record<string, number>;
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('varint too long');
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.varint();
        this.pos += len;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${wire}`);
    }
    if (this.pos > this.end) throw new Error('truncated field');
  }
  /** Iterates fields: yields [fieldNumber, wireType]; the caller reads or skips the value. */
  *fields(): Generator<[number, number]> {
    while (!this.done()) {
      const key = this.varint();
      yield [Math.floor(key / 8), key & 7];
    }
  }
}

function readDims(r: Reader, field: number, wire: number, dims: number[]): void {
  if (wire === 2) {
    // packed repeated int64
    const len = r.varint();
    const sub = new Reader(r.buf, r.pos, r.pos + len);
    while (!sub.done()) dims.push(sub.varint());
    r.pos += len;
  } else if (wire === 0) {
    dims.push(r.varint());
  } else {
    throw new Error(`unexpected wire type ${wire} for dims (field ${field})`);
  }
}

const decoder = new TextDecoder();

function tensorInfo(
  buf: Uint8Array,
  start: number,
  end: number,
  dimsField: number,
  valuesField?: number,
): { elements: number; type: string; name: string } {
  const r = new Reader(buf, start, end);
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  for (const [field, wire] of r.fields()) {
    if (field === dimsField) readDims(r, field, wire, dims);
    else if (field === 8 && wire === 2 && valuesField === undefined) {
      const len = r.varint();
      name = decoder.decode(buf.subarray(r.pos, r.pos + len));
      r.pos += len;
    } else if (field === 2 && wire === 0 && valuesField === undefined) dataType = r.varint();
    else if (valuesField !== undefined && field === valuesField && wire === 2) {
      // SparseTensorProto.values (TensorProto): count its elements (the non-zeros) and take its type
      const len = r.varint();
      const inner = tensorInfo(buf, r.pos, r.pos + len, 1);
      r.pos += len;
      return { elements: inner.elements, type: inner.type, name: inner.name };
    } else r.skip(wire);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  return { elements, type: DATA_TYPES[dataType] ?? `type${dataType}`, name };
}

/** Counts initializer elements of an ONNX ModelProto held in memory. Throws on malformed protobuf. */
export function countOnnxParameters(model: Uint8Array): ParameterCount {
  const top = new Reader(model);
  const out: ParameterCount = { parameters: 0, quantizationParams: 0, tensors: 0, byType: {} };
  let sawGraph = false;
  for (const [field, wire] of top.fields()) {
    if (field !== 7 || wire !== 2) {
      top.skip(wire);
      continue;
    }
    sawGraph = true;
    const len = top.varint();
    const g = new Reader(model, top.pos, top.pos + len);
    for (const [gf, gw] of g.fields()) {
      if ((gf === 5 || gf === 15) && gw === 2) {
        const tlen = g.varint();
        const info =
          gf === 5 ? tensorInfo(model, g.pos, g.pos + tlen, 1) : tensorInfo(model, g.pos, g.pos + tlen, 3, 1);
        g.pos += tlen;
        out.tensors += 1;
        if (/_(scale|zero_point)$/.test(info.name)) {
          out.quantizationParams += info.elements;
          continue;
        }
        out.parameters += info.elements;
        out.byType[info.type] = (out.byType[info.type] ?? 0) + info.elements;
      } else g.skip(gw);
    }
    top.pos += len;
  }
  if (!sawGraph) throw new Error('no GraphProto (field 7) found: not an ONNX model');
  return out;
}

/** The distinct operator types of the main graph (GraphProto.node = field 1, NodeProto.op_type = field 4). */
export function onnxOpTypes(model: Uint8Array): Set<string> {
  const ops = new Set<string>();
  const top = new Reader(model);
  const dec = new TextDecoder();
  for (const [field, wire] of top.fields()) {
    if (field !== 7 || wire !== 2) {
      top.skip(wire);
      continue;
    }
    const len = top.varint();
    const g = new Reader(model, top.pos, top.pos + len);
    for (const [gf, gw] of g.fields()) {
      if (gf === 1 && gw === 2) {
        const nlen = g.varint();
        const n = new Reader(model, g.pos, g.pos + nlen);
        for (const [nf, nw] of n.fields()) {
          if (nf === 4 && nw === 2) {
            const slen = n.varint();
            ops.add(dec.decode(model.subarray(n.pos, n.pos + slen)));
            n.pos += slen;
          } else n.skip(nw);
        }
        g.pos += nlen;
      } else g.skip(gw);
    }
    top.pos += len;
  }
  return ops;
}

/**
 * Operators whose output depends on the value range of the WHOLE input tensor (dynamic quantisation computes one
 * scale per tensor at run time): with them, a text's scores change with the other texts in its batch and padding.
 */
export const BATCH_VARIANT_OPS = ['DynamicQuantizeLinear', 'DynamicQuantizeMatMul', 'DynamicQuantizeLSTM'] as const;
