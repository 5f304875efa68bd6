// What the memory tools (remember, recall, forget) and the `memory` option of the readings share: the store from
// the services (or a clear refusal when memory is off), the tool definition they are built with, label checks
// against the model's label sets, times, embedding texts into the stored int8 form, and the structured forms of a
// record, of a neighbour and of the store.
import { z } from 'zod';
import { quantize } from '../analysis/memory/index.js';
import { ToolError } from '../core/errors.js';
import { EKMAN } from '../core/labels.js';
import type { ModelInfo } from '../core/model.js';
import { round4 } from '../core/numbers.js';
import type { MemoryLabels, MemoryRecord, MemoryService } from './memory-service.js';
import { embedTexts } from './reading/pipeline.js';
import type { NamedText } from './text-input.js';
import type { ToolContext, ToolDefinition, ToolOutput } from './types.js';

export const MEMORY_OFF =
  'memory is off: the server keeps no experience store unless it is started with --memory PATH (or RED_HEART_MEMORY=PATH; docs/memory.md)';

/** The store, or ToolError('invalid_input') saying how to turn memory on. */
export function memoryFor(ctx: ToolContext): MemoryService {
  const m = ctx.services.memory;
  if (!m) throw new ToolError('invalid_input', MEMORY_OFF);
  return m;
}

/** The command that re-embeds records made with another model (named wherever such records are counted). */
export const REEMBED_COMMAND = 'red-heart-mcp memory reembed --memory PATH';

/**
 * A memory tool (remember, recall, forget): never cached (the store changes between calls), and run with the store,
 * so a call while memory is off is refused before anything else.
 */
export function memoryTool<I extends z.ZodObject, O extends z.ZodObject>(
  def: Omit<ToolDefinition<I, O>, 'cache' | 'handler'> & {
    run(args: z.infer<I>, ctx: ToolContext, memory: MemoryService): Promise<ToolOutput<z.infer<O>>>;
  },
): ToolDefinition<I, O> {
  const { run, ...rest } = def;
  return { ...rest, cache: 'none', handler: (args, ctx) => run(args, ctx, memoryFor(ctx)) };
}

/** The store as a memory tool's result names it: its file and how many records it holds. */
export const storeSchema = z.object({ path: z.string(), records: z.number().int() });
export function storeOut(memory: MemoryService, model?: string): z.infer<typeof storeSchema> {
  return { path: memory.path, records: memory.stats(model).records };
}

const labelList = (what: string) => z.array(z.string().min(1).max(64)).max(64).optional().describe(what);
export const labelsSchema = z
  .object({
    goemotions: labelList("GoEmotions names (the model's 28 English labels, e.g. 'anger', 'neutral')"),
    kote: labelList("KOTE names (the model's 44 Korean labels, e.g. '화남/분노')"),
    ekman: labelList(`Ekman groups: ${EKMAN.join(', ')}`),
  })
  .describe(
    'The labels that are true of the text (a correction of a reading, or a gold label); each name is checked against the label set',
  );

export const tagsSchema = z.array(z.string().min(1).max(64)).max(32);

export const timeArg = (what: string) =>
  z.iso.datetime({ offset: true }).describe(`${what} (ISO 8601 date-time, e.g. 2026-05-01T12:00:00Z)`);

export function parseTime(value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new ToolError('invalid_input', `'${value}' is not a date-time`);
  return t;
}

/** The labels, checked against the model's lists and Ekman's (an unknown name is refused, naming the valid ones). */
export function checkLabels(labels: z.infer<typeof labelsSchema> | undefined, model: ModelInfo): MemoryLabels {
  const out: MemoryLabels = {};
  const sets: Array<[keyof MemoryLabels, readonly string[]]> = [
    ['goemotions', model.labels.goemotions],
    ['kote', model.labels.kote],
    ['ekman', EKMAN],
  ];
  for (const [key, valid] of sets) {
    const given = labels?.[key];
    if (!given) continue;
    const unknown = given.filter((l) => !valid.includes(l));
    if (unknown.length)
      throw new ToolError(
        'invalid_input',
        `labels.${key}: ${unknown.map((u) => `'${u}'`).join(', ')} not in the ${key} label set (${valid.join(', ')})`,
      );
    out[key] = [...new Set(given)];
  }
  return out;
}

/** The engine and the stored form of each text's embedding; refuses a model without a sentence_embedding output. */
export async function embedForMemory(
  ctx: ToolContext,
  texts: NamedText[],
): Promise<{ engine: { model: ModelInfo }; model: string; vectors: Int8Array[] }> {
  const { model, embedder, vectors } = await embedTexts(ctx, texts);
  return { engine: { model }, model: embedder.sha256, vectors: vectors.map((v) => quantize(v)) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Characters of a neighbour's text shown in a memory block. */
export const SHOWN_CHARS = 200;

/** A similar record as a memory block lists it (analyze_emotion's cases, regret_forecast's decisions). */
export const neighbourSchema = z.object({
  id: z.number().int(),
  similarity: z.number(),
  text: z.string().describe(`the record's text (first ${SHOWN_CHARS} characters)`),
});
export function neighbourOut(f: { record: MemoryRecord; similarity: number }): z.infer<typeof neighbourSchema> {
  return { id: f.record.id, similarity: round4(f.similarity), text: f.record.text.slice(0, SHOWN_CHARS) };
}

export const decisionOut = z.object({
  options: z.array(z.string()),
  scenarios: z.array(z.string()),
  chosen: z.string(),
  happened: z.string().optional(),
  outcome: z.number().optional().describe('realised outcome of the chosen option (caller units)'),
  regret: z
    .number()
    .optional()
    .describe("realised regret: best outcome in the scenario that happened − the chosen option's"),
  outcomes: z.array(z.array(z.number())).optional(),
});

export const recordSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['case', 'decision']),
  text: z.string(),
  labels: z.object({
    goemotions: z.array(z.string()).optional(),
    kote: z.array(z.string()).optional(),
    ekman: z.array(z.string()).optional(),
  }),
  tags: z.array(z.string()),
  time: z.string().describe('when it happened (ISO 8601)'),
  decision: decisionOut.optional(),
  model_sha256: z.string().describe('first 12 hex digits of the model whose embedding the record holds'),
});

export function recordOut(r: MemoryRecord): z.infer<typeof recordSchema> {
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    labels: r.labels,
    tags: r.tags,
    time: iso(r.time),
    ...(r.decision ? { decision: r.decision } : {}),
    model_sha256: r.model.slice(0, 12),
  };
}
