// models/manifest.json: schema (zod), loading, and model selection. Nothing here touches ONNX Runtime.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CPED_EMOTIONS, CPED_SENTIMENTS, PLUTCHIK } from '../core/labels.js';
import { LANGUAGE_CODES } from '../core/model.js';
import { EngineLoadError } from './errors.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/i, 'a 64-character hex sha256');
const sigmoidHead = z.object({
  labels: z.array(z.string().min(1)).min(1),
  activation: z.literal('sigmoid'),
  thresholds: z.array(z.number().min(0).max(1)),
});
const literals = <T extends string>(xs: readonly T[]) => xs.map((x) => z.literal(x)) as unknown as [z.ZodLiteral<T>, ...Array<z.ZodLiteral<T>>];
/** The outputs of a v2 model's zh heads (after the five v1 outputs); a manifest listing zh needs all three. */
export const ZH_OUTPUTS = ['cped_emotion_logits', 'cped_sentiment_logits', 'xed_logits'] as const;

export const modelEntrySchema = z
  .object({
    id: z.string().min(1),
    version: z.string().min(1),
    file: z.string().min(1),
    sha256: hex64,
    bytes: z.number().int().nonnegative().optional(),
    precision: z.string().optional(),
    parameters: z.number().int().nonnegative().optional(),
    tokenizer: z.string().min(1),
    tokenizer_sha256: hex64.optional(),
    tokenizer_config: z.record(z.string(), z.unknown()).default({}),
    max_length: z.number().int().min(4).max(8192),
    /**
     * Languages the model reads and the server serves (its tokenizer and training data cover them). zh needs the
     * zh outputs below. Manifests before issue 14 have no field; every such model (1.0–1.3) reads en and ko.
     */
    languages: z.array(z.enum(LANGUAGE_CODES)).min(1).default(['en', 'ko']),
    inputs: z.array(z.enum(['input_ids', 'attention_mask', 'token_type_ids'])).min(1),
    pad_token_id: z.number().int().nonnegative(),
    outputs: z.object({
      goemotions_logits: sigmoidHead,
      kote_logits: sigmoidHead,
      polarity_logits: z.object({
        labels: z.tuple([z.literal('negative'), z.literal('positive')]),
        activation: z.literal('softmax'),
      }),
      utility: z.object({ activation: z.literal('identity') }),
      vad: z.object({
        labels: z.tuple([z.literal('valence'), z.literal('arousal'), z.literal('dominance')]),
        scale: z.tuple([z.number(), z.number()]),
      }),
      // v2 (issue 14): the zh heads. No thresholds: CPED is single-label (argmax), XED has no dev split to tune on.
      cped_emotion_logits: z.object({ labels: z.array(z.string().min(1)).min(1), activation: z.literal('softmax') }).optional(),
      cped_sentiment_logits: z.object({ labels: z.tuple(literals(CPED_SENTIMENTS)), activation: z.literal('softmax') }).optional(),
      xed_logits: z.object({ labels: z.tuple(literals(PLUTCHIK)), activation: z.literal('sigmoid') }).optional(),
    }),
    /** Ekman-7 decision thresholds tuned on GoEmotions dev (used by the evaluation; groups in ekman_mapping.json order + neutral). */
    ekman: z
      .object({ thresholds: z.array(z.number().min(0).max(1)).length(7), groups: z.array(z.string()).length(7).optional() })
      .loose()
      .optional(),
    training_data: z.array(z.unknown()).optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
  .superRefine((m, ctx) => {
    for (const head of ['goemotions_logits', 'kote_logits'] as const) {
      const h = m.outputs[head];
      if (h.thresholds.length !== h.labels.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['outputs', head, 'thresholds'],
          message: `${h.thresholds.length} thresholds for ${h.labels.length} labels`,
        });
      }
    }
    if (m.languages.includes('zh')) {
      const missing = ZH_OUTPUTS.filter((o) => !m.outputs[o]);
      if (missing.length) {
        ctx.addIssue({ code: 'custom', path: ['outputs'], message: `languages lists zh, but the outputs ${missing.join(', ')} are missing (a zh result is read from them; docs/emotion.md)` });
      }
    }
    const cped = m.outputs.cped_emotion_logits?.labels;
    if (cped) {
      const absent = CPED_EMOTIONS.filter((l) => !cped.includes(l));
      const unknown = cped.filter((l) => !CPED_EMOTIONS.includes(l));
      if (absent.length || unknown.length || cped.length !== CPED_EMOTIONS.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['outputs', 'cped_emotion_logits', 'labels'],
          message: `must list the 13 CPED emotions once each (missing: ${absent.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`,
        });
      }
    }
    if (new Set(m.languages).size !== m.languages.length) ctx.addIssue({ code: 'custom', path: ['languages'], message: 'a language is listed twice' });
    if (!m.inputs.includes('input_ids')) ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'input_ids is required' });
  });

export const manifestSchema = z
  .object({
    schema_version: z.literal(1),
    default_model: z.string().min(1),
    models: z.array(modelEntrySchema).min(1),
  })
  .loose();

export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

/** A manifest entry together with the directory its files live in. */
export interface ResolvedModel {
  entry: ModelEntry;
  dir: string;
  manifestPath: string;
  modelPath: string;
  tokenizerPath: string;
}

export const INSTALL_HINT =
  'reinstall the package (npm install red-heart-mcp) or rebuild the model with the commands in training/README.md; see models/MODEL_CARD.md';

/** Reads and validates one manifest. Returns null when the file does not exist. */
export function readManifest(dir: string): { manifest: Manifest; path: string } | null {
  const path = join(resolve(dir), 'manifest.json');
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EngineLoadError('manifest_invalid', `${path} is not valid JSON (${(err as Error).message}); ${INSTALL_HINT}`, path);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new EngineLoadError('manifest_invalid', `${path} does not match the manifest schema: ${issues.join('; ')}; ${INSTALL_HINT}`, path);
  }
  return { manifest: parsed.data, path };
}

/**
 * Picks the model to serve: `wanted` (config.model) or the default of the first manifest found.
 * The extra directory is searched first, so it can override a shipped model id.
 */
export function resolveModel(modelsDir: string, extraModelsDir: string | undefined, wanted: string | undefined): ResolvedModel {
  const dirs = [extraModelsDir, modelsDir].filter((d): d is string => !!d).map((d) => resolve(d));
  const found: Array<{ manifest: Manifest; path: string; dir: string }> = [];
  for (const dir of dirs) {
    const m = readManifest(dir);
    if (m) found.push({ ...m, dir });
  }
  if (found.length === 0) {
    const path = join(resolve(modelsDir), 'manifest.json');
    throw new EngineLoadError('file_missing', `${path} not found — no model is installed; ${INSTALL_HINT}`, path);
  }
  // Default: the shipped directory's default model (the extra directory only adds or overrides ids).
  const id = wanted ?? (found.find((f) => f.dir === resolve(modelsDir)) ?? found[0]).manifest.default_model;
  for (const f of found) {
    const entry = f.manifest.models.find((m) => m.id === id);
    if (entry) {
      return {
        entry,
        dir: f.dir,
        manifestPath: f.path,
        modelPath: join(f.dir, entry.file),
        tokenizerPath: join(f.dir, entry.tokenizer),
      };
    }
  }
  const known = found.flatMap((f) => f.manifest.models.map((m) => m.id));
  throw new EngineLoadError(
    'model_unknown',
    `model '${id}' is not listed in ${found.map((f) => f.path).join(' or ')} (available: ${known.join(', ') || 'none'}); set --model / RED_HEART_MODEL to one of them`,
    found[0].path,
  );
}

/** Every model listed in the configured manifests (for the status surface); never throws. */
export function listModels(modelsDir: string, extraModelsDir?: string): Array<{ entry: ModelEntry; dir: string }> {
  const out: Array<{ entry: ModelEntry; dir: string }> = [];
  for (const dir of [extraModelsDir, modelsDir].filter((d): d is string => !!d)) {
    try {
      const m = readManifest(dir);
      if (m) for (const entry of m.manifest.models) out.push({ entry, dir: resolve(dir) });
    } catch {
      /* reported by the loader */
    }
  }
  return out;
}
