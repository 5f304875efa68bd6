// Worker thread entry: owns one ONNX Runtime session (see ort-session.ts). Runs are executed in arrival order;
// the output tensors' buffers are moved back to the caller, not copied.
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { OrtRequest, RawTensor } from './ort-session.js';

const port = parentPort!;
let session: ort.InferenceSession | null = null;

port.on('message', async (m: OrtRequest) => {
  try {
    if (m.op === 'create') {
      if (m.logLevel) ort.env.logLevel = m.logLevel as typeof ort.env.logLevel; // the same quiet ORT logging as the main thread
      session = await ort.InferenceSession.create(m.bytes, m.options as ort.InferenceSession.SessionOptions);
      port.postMessage({
        id: m.id,
        ok: true,
        value: { inputNames: [...session.inputNames], outputNames: [...session.outputNames] },
      });
    } else if (m.op === 'run') {
      if (!session) throw new Error('no session in the inference worker');
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(m.feeds))
        feeds[name] = new ort.Tensor(t.type as 'int64', t.data as BigInt64Array, t.dims);
      const res = await session.run(feeds, m.fetches);
      const out: Record<string, RawTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [name, t] of Object.entries(res)) {
        const data = (t.data as Float32Array).slice(); // own buffer (ORT's may be shared), so it can be moved
        out[name] = { type: t.type, data, dims: [...t.dims] };
        transfer.push(data.buffer as ArrayBuffer);
      }
      port.postMessage({ id: m.id, ok: true, value: out }, transfer);
    } else {
      await session?.release();
      session = null;
      port.postMessage({ id: m.id, ok: true, value: null });
    }
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, error: (err as Error)?.message ?? String(err) });
  }
});
