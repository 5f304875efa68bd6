// Export and import of the experience memory as JSON Lines: one record per line with its vector (base64 of the
// int8 values) and the sha256 of the model that made it, so a store can be moved, backed up or merged without
// the model. Imported records keep their model: records of another model are counted and not searched until
// re-embedded (`red-heart-mcp memory reembed`, reembed-command.ts; docs/memory.md).
//   red-heart-mcp memory export --memory PATH FILE     red-heart-mcp memory import --memory PATH FILE
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { MemoryStore } from './store.js';

const line = z.object({
  id: z.number().int().optional(),
  kind: z.enum(['case', 'decision']),
  text: z.string().min(1),
  labels: z.record(z.string(), z.array(z.string())),
  tags: z.array(z.string()),
  time: z.string(),
  decision: z.record(z.string(), z.unknown()).optional(),
  model: z.string().regex(/^[0-9a-f]{64}$/),
  vector: z.string().min(1).describe('base64 of the int8 vector'),
});

export async function exportJsonl(store: MemoryStore, file: string): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let n = 0;
  for (const r of store.all()) {
    const { vector, created: _created, ...rest } = r;
    const base64 = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
    const ok = out.write(`${JSON.stringify({ ...rest, time: new Date(r.time).toISOString(), vector: base64 })}\n`);
    if (!ok) await new Promise<void>((res) => out.once('drain', () => res()));
    n++;
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return n;
}

/** Adds the file's records (new ids), in batches of 1,000 per transaction; a malformed line stops the import naming it. */
export async function importJsonl(store: MemoryStore, file: string): Promise<number> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let lineNo = 0;
  let batch: Array<{ model: string; item: Parameters<MemoryStore['add']>[0][number] }> = [];
  const flush = () => {
    const byModel = new Map<string, Array<(typeof batch)[number]['item']>>();
    for (const b of batch) byModel.set(b.model, [...(byModel.get(b.model) ?? []), b.item]);
    for (const [model, items] of byModel) store.add(items, model);
    n += batch.length;
    batch = [];
  };
  for await (const raw of rl) {
    lineNo++;
    if (!raw.trim()) continue;
    const parsed = line.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new Error(`${file}:${lineNo}: not a memory record (${parsed.error.issues[0]?.message})`);
    const r = parsed.data;
    const buf = Buffer.from(r.vector, 'base64');
    const time = Date.parse(r.time);
    if (!Number.isFinite(time)) throw new Error(`${file}:${lineNo}: time '${r.time}' is not a date-time`);
    batch.push({
      model: r.model,
      item: {
        record: {
          kind: r.kind,
          text: r.text,
          labels: r.labels,
          tags: r.tags,
          time,
          ...(r.decision ? { decision: r.decision as never } : {}),
        },
        vector: new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength),
      },
    });
    if (batch.length >= 1000) flush();
  }
  flush();
  return n;
}

/** `red-heart-mcp memory export|import --memory PATH FILE`: returns the exit code. */
export async function memoryCommand(argv: string[], open: (path: string) => MemoryStore): Promise<number> {
  const [verb, ...rest] = argv;
  const at = rest.indexOf('--memory');
  const path = at >= 0 ? rest[at + 1] : process.env.RED_HEART_MEMORY;
  const file = rest.filter((_, i) => i !== at && i !== at + 1)[0];
  if ((verb !== 'export' && verb !== 'import') || !path || !file) {
    process.stderr.write(
      'usage: red-heart-mcp memory export|import --memory PATH FILE.jsonl (PATH may come from RED_HEART_MEMORY)\n' +
        "       red-heart-mcp memory reembed --memory PATH [--batch N] (records of another model get the loaded model's embedding)\n",
    );
    return 2;
  }
  const store = open(path);
  try {
    const n = verb === 'export' ? await exportJsonl(store, file) : await importJsonl(store, file);
    process.stderr.write(
      `${verb === 'export' ? 'exported' : 'imported'} ${n} records ${verb === 'export' ? 'to' : 'from'} ${file} (${store.path})\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}
