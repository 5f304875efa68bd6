// models/manifest.json: schema (zod), loading, and model selection. Nothing here touches ONNX Runtime.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { HEAD_KINDS, type HeadKind } from '../core/heads.js';
import { CPED_EMOTIONS, CPED_SENTIMENTS, PLUTCHIK } from '../core/labels.js';
import { LANGUAGE_CODES } from '../core/model.js';
import { EngineLoadError } from './errors.js';

/** The optional output with the pooled sentence representation (training/add_embedding_output.py): the memory's vectors, not a head. */
export const EMBEDDING_OUTPUT = 'sentence_embedding';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/i, 'a 64-character hex sha256');
/** Every head has a kind (src/core/heads.ts); the heads the analyses read have theirs by default. */
const kind = <K extends HeadKind>(k: K) => z.literal(k).default(k);
const sigmoidHead = z.object({
  kind: kind('multi-label'),
  labels: z.array(z.string().min(1)).min(1),
  activation: z.literal('sigmoid'),
  thresholds: z.array(z.number().min(0).max(1)),
});
/**
 * Any other head: an ONNX output of the same name, declared by its kind and labels (thresholds for a multi-label
 * head tuned on dev; the languages its training data covered). It is decoded, aggregated over windows and fused by
 * its kind, and served in `TextAnalysis.heads` for a presenter.
 */
const otherHead = z
  .object({
    kind: z.enum(HEAD_KINDS),
    labels: z.array(z.string().min(1)).min(1),
    activation: z.enum(['sigmoid', 'softmax', 'identity']).optional(),
    thresholds: z.array(z.number().min(0).max(1)).optional(),
    languages: z.array(z.enum(LANGUAGE_CODES)).min(1).optional(),
  })
  .superRefine((h, ctx) => {
    if (h.kind === 'pairwise' && h.labels.length !== 2)
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'a pairwise head has exactly 2 labels' });
    if (h.thresholds && h.kind !== 'multi-label')
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'only a multi-label head has thresholds' });
    if (h.thresholds && h.thresholds.length !== h.labels.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: `${h.thresholds.length} thresholds for ${h.labels.length} labels`,
      });
    }
  });
const literals = <T extends string>(xs: readonly T[]) =>
  xs.map((x) => z.literal(x)) as unknown as [z.ZodLiteral<T>, ...Array<z.ZodLiteral<T>>];
/** Ekman-7 decision thresholds (groups in ekman_mapping.json order + neutral), read by the evaluation. */
const ekmanThresholds = z
  .object({
    thresholds: z.array(z.number().min(0).max(1)).length(7),
    groups: z.array(z.string()).length(7).optional(),
  })
  .loose();
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
     * zh outputs below. A manifest without the field (models 1.0–1.3) reads en and ko.
     */
    languages: z.array(z.enum(LANGUAGE_CODES)).min(1).default(['en', 'ko']),
    inputs: z.array(z.enum(['input_ids', 'attention_mask', 'token_type_ids'])).min(1),
    pad_token_id: z.number().int().nonnegative(),
    outputs: z
      .object({
        goemotions_logits: sigmoidHead,
        kote_logits: sigmoidHead,
        polarity_logits: z.object({
          kind: kind('pairwise'),
          labels: z.tuple([z.literal('negative'), z.literal('positive')]),
          activation: z.literal('softmax'),
        }),
        utility: z.object({
          kind: kind('regression'),
          labels: z.tuple([z.literal('utility')]).default(['utility']),
          activation: z.literal('identity'),
        }),
        vad: z.object({
          kind: kind('regression'),
          labels: z.tuple([z.literal('valence'), z.literal('arousal'), z.literal('dominance')]),
          scale: z.tuple([z.number(), z.number()]),
        }),
        // v2: the zh heads. No thresholds: CPED is single-label (argmax), XED has no dev split to tune on.
        cped_emotion_logits: z
          .object({
            kind: kind('softmax'),
            labels: z.array(z.string().min(1)).min(1),
            activation: z.literal('softmax'),
          })
          .optional(),
        cped_sentiment_logits: z
          .object({
            kind: kind('softmax'),
            labels: z.tuple(literals(CPED_SENTIMENTS)),
            activation: z.literal('softmax'),
          })
          .optional(),
        xed_logits: z
          .object({ kind: kind('multi-label'), labels: z.tuple(literals(PLUTCHIK)), activation: z.literal('sigmoid') })
          .optional(),
        /**
         * The pooled sentence representation every head reads (training/add_embedding_output.py); the memory store's
         * vectors. Not a head.
         */
        sentence_embedding: z
          .object({ dim: z.number().int().min(1), activation: z.literal('identity') })
          .loose()
          .optional(),
      })
      .catchall(otherHead),
    /** Ekman-7 decision thresholds tuned on GoEmotions dev. */
    ekman: ekmanThresholds.optional(),
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
        ctx.addIssue({
          code: 'custom',
          path: ['outputs'],
          message: `languages lists zh, but the outputs ${missing.join(', ')} are missing (a zh result is read from them; docs/emotion.md)`,
        });
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
          message:
            `must list the 13 CPED emotions once each (missing: ${absent.join(', ') || 'none'}; unknown: ` +
            `${unknown.join(', ') || 'none'})`,
        });
      }
    }
    if (new Set(m.languages).size !== m.languages.length)
      ctx.addIssue({ code: 'custom', path: ['languages'], message: 'a language is listed twice' });
    if (!m.inputs.includes('input_ids'))
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'input_ids is required' });
  });

/**
 * An ensemble (docs/engine.md, "Ensembles"): member ids from the same manifest's `models`, fusion weights per
 * output head (one per member, ≥ 0, summing to 1), and its own thresholds for the fused multi-label heads (tuned on
 * dev for the fused probabilities; a member's thresholds are never borrowed). Cross-checks against the members are
 * in `checkEnsembles`, run by the manifest schema.
 */
export const ensembleEntrySchema = z
  .object({
    id: z.string().min(1),
    version: z.string().min(1),
    members: z.array(z.string().min(1)).min(2, 'an ensemble needs at least 2 members'),
    weights: z.record(z.string(), z.array(z.number().min(0, 'fusion weights must be ≥ 0'))),
    thresholds: z.record(z.string(), z.array(z.number().min(0).max(1))).default({}),
    /** Ekman-7 thresholds for the fused probabilities (used by the evaluation, as a model's `ekman`). */
    ekman: ekmanThresholds.optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

/** Tolerance of the "weights sum to 1" rule (weights are written with a few decimals). */
export const WEIGHT_SUM_TOLERANCE = 1e-6;

type Issue = { path: (string | number)[]; message: string };

/**
 * The ensemble rules that need the manifest's models: members exist and are distinct, ids do not clash with models,
 * every head a member has gets weights (one per member, summing to 1) and no weights name a head some member lacks,
 * label lists agree, and each fused multi-label (thresholded) head has the ensemble's own thresholds.
 */
export function checkEnsembles(models: readonly ModelEntry[], ensembles: readonly EnsembleEntry[]): Issue[] {
  const issues: Issue[] = [];
  const byId = new Map(models.map((m) => [m.id, m]));
  const seen = new Set<string>();
  ensembles.forEach((e, i) => {
    const at = (...p: (string | number)[]) => ['ensembles', i, ...p];
    const name = `ensemble '${e.id}'`;
    if (byId.has(e.id)) issues.push({ path: at('id'), message: `${name} has the id of a model in models[]` });
    if (seen.has(e.id)) issues.push({ path: at('id'), message: `${name} is listed twice` });
    seen.add(e.id);
    const dup = e.members.find((m, k) => e.members.indexOf(m) !== k);
    if (dup) issues.push({ path: at('members'), message: `${name} lists member '${dup}' twice` });
    const unknown = e.members.filter((m) => !byId.has(m));
    if (unknown.length) {
      issues.push({
        path: at('members'),
        message: `${name}: unknown member ${unknown.map((m) => `'${m}'`).join(', ')} (models[] has ${[...byId.keys()].join(', ')})`,
      });
      return;
    }
    const members = e.members.map((m) => byId.get(m) as ModelEntry);
    const outputs = members.map(
      (m) => m.outputs as Record<string, { labels?: readonly string[]; thresholds?: readonly number[] }>,
    );
    const heads = new Set(outputs.flatMap((o) => Object.keys(o)).filter((h) => h !== EMBEDDING_OUTPUT));
    for (const head of heads)
      if (!(head in e.weights))
        issues.push({ path: at('weights'), message: `${name}: no fusion weights for head '${head}'` });
    for (const [head, w] of Object.entries(e.weights)) {
      const lacking = members.filter((_, k) => !(head in outputs[k])).map((m) => `'${m.id}'`);
      if (lacking.length) {
        issues.push({
          path: at('weights', head),
          message: `${name}: weights for head '${head}', which member ${lacking.join(', ')} does not have`,
        });
        continue;
      }
      if (w.length !== members.length) {
        issues.push({
          path: at('weights', head),
          message: `${name}: ${w.length} weights for head '${head}', one per member expected (${members.length})`,
        });
        continue;
      }
      const sum = w.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE)
        issues.push({ path: at('weights', head), message: `${name}: weights for head '${head}' sum to ${sum}, not 1` });
    }
    for (const head of heads) {
      const labels = outputs[0][head]?.labels;
      const differs = members.find(
        (_, k) => k > 0 && head in outputs[k] && JSON.stringify(outputs[k][head].labels) !== JSON.stringify(labels),
      );
      if (differs)
        issues.push({
          path: at('members'),
          message:
            `${name}: member '${differs.id}' lists other labels for head '${head}' than '${members[0].id}' ` +
            `(fusion needs the same labels in the same order)`,
        });
      if (!outputs.some((o) => o[head]?.thresholds)) continue;
      const th = e.thresholds[head];
      if (!th) {
        issues.push({
          path: at('thresholds'),
          message:
            `${name}: no thresholds for the fused head '${head}' (tune them on dev for the fused probabilities; ` +
            `member thresholds are not borrowed)`,
        });
      } else if (labels && th.length !== labels.length) {
        issues.push({
          path: at('thresholds', head),
          message: `${name}: ${th.length} thresholds for head '${head}', which has ${labels.length} labels`,
        });
      }
    }
    for (const head of Object.keys(e.thresholds)) {
      if (!outputs.every((o) => o[head]?.thresholds))
        issues.push({
          path: at('thresholds', head),
          message: `${name}: thresholds for '${head}', which is not a thresholded head of every member`,
        });
    }
    const common = members[0].languages.filter((l) => members.every((m) => m.languages.includes(l)));
    if (common.length === 0)
      issues.push({ path: at('members'), message: `${name}: the members read no language in common` });
  });
  return issues;
}

export const manifestSchema = z
  .object({
    schema_version: z.literal(1),
    /** A model id or an ensemble id. */
    default_model: z.string().min(1),
    models: z.array(modelEntrySchema).min(1),
    ensembles: z.array(ensembleEntrySchema).optional(),
  })
  .loose()
  .superRefine((m, ctx) => {
    for (const issue of checkEnsembles(m.models, m.ensembles ?? [])) ctx.addIssue({ code: 'custom', ...issue });
    const ids = [...m.models.map((x) => x.id), ...(m.ensembles ?? []).map((e) => e.id)];
    if (!ids.includes(m.default_model))
      ctx.addIssue({
        code: 'custom',
        path: ['default_model'],
        message: `'${m.default_model}' is neither a model nor an ensemble of this manifest (it lists ${ids.join(', ')})`,
      });
  });

export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type EnsembleEntry = z.infer<typeof ensembleEntrySchema>;
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
  'reinstall the package (npm install red-heart-mcp) or rebuild the model with the commands in ' +
  'training/README.md; see models/MODEL_CARD.md';

/** Reads and validates one manifest. Returns null when the file does not exist. */
export function readManifest(dir: string): { manifest: Manifest; path: string } | null {
  const path = join(resolve(dir), 'manifest.json');
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EngineLoadError(
      'manifest_invalid',
      `${path} is not valid JSON (${(err as Error).message}); ${INSTALL_HINT}`,
      path,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new EngineLoadError(
      'manifest_invalid',
      `${path} does not match the manifest schema: ${issues.join('; ')}; ${INSTALL_HINT}`,
      path,
    );
  }
  return { manifest: parsed.data, path };
}

/** An ensemble from a manifest, with its members resolved in the same directory. */
export interface ResolvedEnsemble {
  entry: EnsembleEntry;
  dir: string;
  manifestPath: string;
  /** In the order of `entry.members` (the order of the weights). */
  members: ResolvedModel[];
  /**
   * Identity of what the ensemble computes (cache keys, `model.sha256`): sha256 over its id, version, members (id,
   * version, file sha256), weights and thresholds. Any change to a member file or a weight changes it.
   */
  sha256: string;
}

export type ResolvedSelection =
  { kind: 'model'; model: ResolvedModel } | { kind: 'ensemble'; ensemble: ResolvedEnsemble };

function resolvedEntry(entry: ModelEntry, dir: string, manifestPath: string): ResolvedModel {
  return { entry, dir, manifestPath, modelPath: join(dir, entry.file), tokenizerPath: join(dir, entry.tokenizer) };
}

const sortedKeys = <T>(r: Record<string, T>): Array<[string, T]> =>
  Object.keys(r)
    .sort()
    .map((k) => [k, r[k]]);

export function ensembleSha256(entry: EnsembleEntry, members: readonly ModelEntry[]): string {
  const identity = [
    entry.id,
    entry.version,
    members.map((m) => [m.id, m.version, m.sha256.toLowerCase()]),
    sortedKeys(entry.weights),
    sortedKeys(entry.thresholds),
  ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Picks what to serve: `wanted` (config.model) or the default of the first manifest found, a model or an ensemble.
 * The extra directory is searched first, so it can override a shipped id. An ensemble's members come from the
 * manifest that defines it.
 */
export function resolveSelection(
  modelsDir: string,
  extraModelsDir: string | undefined,
  wanted: string | undefined,
): ResolvedSelection {
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
    if (entry) return { kind: 'model', model: resolvedEntry(entry, f.dir, f.path) };
    const ens = f.manifest.ensembles?.find((e) => e.id === id);
    if (ens) {
      // checkEnsembles guarantees every member is listed in this manifest
      const members = ens.members.map((mid) =>
        resolvedEntry(f.manifest.models.find((m) => m.id === mid) as ModelEntry, f.dir, f.path),
      );
      return {
        kind: 'ensemble',
        ensemble: {
          entry: ens,
          dir: f.dir,
          manifestPath: f.path,
          members,
          sha256: ensembleSha256(
            ens,
            members.map((m) => m.entry),
          ),
        },
      };
    }
  }
  const known = found.flatMap((f) => [
    ...f.manifest.models.map((m) => m.id),
    ...(f.manifest.ensembles ?? []).map((e) => e.id),
  ]);
  throw new EngineLoadError(
    'model_unknown',
    `model '${id}' is not listed in ${found.map((f) => f.path).join(' or ')} (available: ` +
      `${known.join(', ') || 'none'}); set --model / RED_HEART_MODEL to one of them`,
    found[0].path,
  );
}

/** Like resolveSelection, for callers that run one model file (evaluation, benchmarks): an ensemble id is refused. */
export function resolveModel(
  modelsDir: string,
  extraModelsDir: string | undefined,
  wanted: string | undefined,
): ResolvedModel {
  const sel = resolveSelection(modelsDir, extraModelsDir, wanted);
  if (sel.kind === 'model') return sel.model;
  const e = sel.ensemble;
  throw new EngineLoadError(
    'model_unknown',
    `'${e.entry.id}' in ${e.manifestPath} is an ensemble (members ${e.entry.members.join(', ')}); this ` +
      `command runs one model: name a member with --model (the ensemble itself is measured by ` +
      `eval/ensemble.ts)`,
    e.manifestPath,
  );
}

/** The model files a selection runs: the model itself, or the ensemble's members in manifest order. */
export function selectionModels(sel: ResolvedSelection): ResolvedModel[] {
  return sel.kind === 'model' ? [sel.model] : sel.ensemble.members;
}

/**
 * For callers that run one model file where no id was given (offline measurements, benchmarks of one session): the
 * default model, or, when the default is an ensemble, its first member (the main model, whose tokenizer gives the
 * ensemble's token counts and whose embedding the memory uses). An id that names an ensemble is still refused
 * (resolveModel). Callers report the id they ran.
 */
export function resolveSingleModel(
  modelsDir: string,
  extraModelsDir: string | undefined,
  wanted: string | undefined,
): ResolvedModel {
  if (wanted !== undefined) return resolveModel(modelsDir, extraModelsDir, wanted);
  return selectionModels(resolveSelection(modelsDir, extraModelsDir, undefined))[0];
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

/** Every ensemble listed in the configured manifests (for the status surface); never throws. */
export function listEnsembles(
  modelsDir: string,
  extraModelsDir?: string,
): Array<{ entry: EnsembleEntry; dir: string }> {
  const out: Array<{ entry: EnsembleEntry; dir: string }> = [];
  for (const dir of [extraModelsDir, modelsDir].filter((d): d is string => !!d)) {
    try {
      const m = readManifest(dir);
      if (m) for (const entry of m.manifest.ensembles ?? []) out.push({ entry, dir: resolve(dir) });
    } catch {
      /* reported by the loader */
    }
  }
  return out;
}
