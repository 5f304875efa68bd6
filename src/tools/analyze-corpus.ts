// analyze_corpus: emotions of every text in a local CSV / TSV / JSONL / plain-text file, aggregated (see
// docs/corpus.md). Reads only inside allowed directories (--data-dir, the client's MCP roots), streams the file in
// batches, writes per-row JSON Lines and a self-contained HTML report next to the input (or to output_dir), and
// returns both as resource links.
import { z } from 'zod';
import { CORPUS_FORMATS } from './corpus/parse.js';
import { MAX_CORPUS_BYTES, MAX_CORPUS_ROWS } from '../core/limits.js';
import type { AllowedDirectory, CorpusFiles } from './corpus/io.js';
import { DETAILS } from './corpus/rows.js';
import { runCorpus, type CorpusResult } from './corpus/run.js';
import { ToolError } from '../core/errors.js';
import { round4 } from '../core/numbers.js';
import { LANGUAGE_CODES } from '../core/model.js';
import { TAXONOMIES } from '../analysis/corpus/aggregate.js';
import { readsSentence } from './model-facts.js';
import { bulkEngine, memoryEmbedder } from './reading/pipeline.js';
import type { ServedModel, ToolContext, ToolDefinition } from './types.js';
import { modelBlockSchema } from './model-block.js';
import { thresholdParam } from './emotion-reading.js';
import { corpusMemory, corpusMemorySchema } from './corpus/memory.js';
import { memoryFor } from './memory-input.js';

const field = z.string().min(1).max(200);

const input = z.object({
  path: z
    .string()
    .min(1)
    .max(4096)
    .describe('Absolute path of the file, inside a --data-dir directory or an MCP root of the client.'),
  format: z
    .enum(CORPUS_FORMATS)
    .optional()
    .describe(
      'csv | tsv | jsonl | text (one text per line); default: from the extension (.csv, .tsv/.tab, .jsonl/.ndjson, .txt).',
    ),
  text_field: field
    .optional()
    .describe('Column (CSV/TSV header) or key (JSONL) holding the text; required except for plain text.'),
  group_field: field
    .optional()
    .describe(
      'Column or key to group by (e.g. team, product); per-group summaries and differences between the largest groups.',
    ),
  time_field: field
    .optional()
    .describe('Column or key with an ISO 8601 date or date-time (no offset = UTC); enables the time series.'),
  time_bucket: z
    .enum(['day', 'week', 'month'])
    .default('month')
    .describe('Time series bucket: UTC day, ISO week, or month.'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_CORPUS_ROWS)
    .optional()
    .describe(`Read only the first N data rows (≤ ${MAX_CORPUS_ROWS}).`),
  sample: z
    .object({
      rows: z.number().int().min(1).max(MAX_CORPUS_ROWS).describe('How many rows to analyse.'),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(0)
        .describe('Seed: the same file, limit and seed give the same rows.'),
    })
    .optional()
    .describe('Analyse a deterministic, seeded sample of the (first `limit`) rows instead of all of them.'),
  language: z
    .enum(['auto', ...LANGUAGE_CODES])
    .default('auto')
    .describe(
      'auto: identified per row (docs/language.md); rows in a language the model does not read are skipped ' +
        'and counted. Named: every row is read as that language.',
    ),
  detail: z
    .enum(DETAILS)
    .default('standard')
    .describe(
      'Per-row JSONL size: summary (dominant label, detected labels, Ekman, sentiment, valence, arousal), ' +
        'standard (+ Ekman and sentiment scores), full (+ every label probability). The returned summary is ' +
        'the same for all.',
    ),
  threshold: thresholdParam,
  output_dir: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('Directory for the JSONL and HTML files (inside an allowed directory); default: next to the input.'),
  memory: z
    .boolean()
    .optional()
    .describe(
      "Each row's JSONL record gets analyze_emotion's memory block (nearest labelled cases, their votes), the " +
        "summary their agreement with the model's labels (needs --memory; refused with --queue; docs/memory.md)",
    ),
});

const r = z.number();
const interval = z.tuple([r, r]).describe('95 % interval [low, high]');
const share = z.object({
  label: z.string(),
  count: z.number().int().nonnegative(),
  share: z.number().min(0).max(1),
  ci: interval.describe('95 % Wilson score interval'),
});
const scale = z
  .object({
    mean: r,
    sd: r.nullable(),
    ci: interval.nullable().describe('95 % Student t interval of the mean; null below two rows'),
    quantiles: z.object({ p05: r, p25: r, p50: r, p75: r, p95: r }).describe('within 0.0005 of the exact quantiles'),
  })
  .nullable();
const scope = z.object({
  rows: z.number().int().nonnegative(),
  languages: z
    .object({
      en: z.number().int(),
      ko: z.number().int(),
      zh: z.number().int().optional(),
      ja: z.number().int().optional(),
    })
    .describe(
      'rows per language; zh and ja only when there are some (ja rows are read by cross-lingual transfer ' +
        'of the GoEmotions head: docs/emotion.md)',
    ),
  labels: z
    .object({ goemotions: z.array(share).optional(), kote: z.array(share).optional(), cped: z.array(share).optional() })
    .describe(
      'Per taxonomy: share of its rows in which each label reaches its threshold (multi-label; cped: the ' +
        'argmax label unless a threshold is given)',
    ),
  ekman: z.array(share).describe('Share of rows per dominant Ekman class'),
  sentiment: z.array(share).describe('Share of rows per sentiment'),
  valence: scale,
  arousal: scale,
});
const diff = z.object({ diff: r, ci: interval });

const output = z.object({
  file: z.string(),
  format: z.enum(CORPUS_FORMATS),
  complete: z
    .boolean()
    .describe('false when the run stopped early (row limit, cancellation); the numbers cover the rows analysed'),
  stop_reason: z.string().nullable(),
  rows: z.object({
    read: z.number().int(),
    analysed: z.number().int(),
    from_cache: z.number().int().describe("rows reused from the previous run's JSONL (same text, model and settings)"),
    skipped: z.object({
      malformed: z.number().int(),
      empty_text: z.number().int(),
      text_too_long: z.number().int(),
      unsupported_language: z.number().int().describe('rows in a language the model does not read (docs/language.md)'),
    }),
    not_in_sample: z.number().int(),
    language_uncertain: z
      .number()
      .int()
      .describe(
        'rows analysed although their language was not identified: short or ambiguous Latin text read as ' +
          'English, text with some Hangul read as Korean (docs/language.md)',
      ),
    blank_lines: z.number().int(),
    time_unreadable: z
      .number()
      .int()
      .describe('analysed rows whose time value is missing or not ISO 8601 (in no bucket)'),
    group_missing: z.number().int().describe('analysed rows with an empty group value (group "(missing)")'),
  }),
  malformed: z
    .array(z.object({ row: z.number().int(), line: z.number().int(), reason: z.string() }))
    .describe('the first 20 malformed rows'),
  summary: z.object({
    overall: scope,
    groups: z.array(scope.extend({ group: z.string() })),
    groups_overflow_rows: z.number().int(),
    group_differences: z
      .array(
        z.object({
          a: z.string(),
          b: z.string(),
          valence: diff.nullable(),
          arousal: diff.nullable(),
          positive: diff,
          negative: diff,
        }),
      )
      .describe('a − b for pairs of the 5 largest groups: means with Welch intervals, shares with Newcombe intervals'),
    time: z.array(scope.extend({ bucket: z.string() })),
    buckets_overflow_rows: z.number().int(),
    examples: z.array(
      z.object({
        taxonomy: z.enum(TAXONOMIES),
        label: z.string(),
        rows: z.array(z.object({ row: z.number().int(), score: r, excerpt: z.string() })),
      }),
    ),
    memory: corpusMemorySchema.optional(),
  }),
  model: modelBlockSchema,
  thresholds: z.string(),
  files: z.object({ rows_jsonl: z.string(), report_html: z.string() }),
  elapsed_ms: z.number().nonnegative(),
  rows_per_second: z.number().nonnegative(),
});

/** --data-dir directories plus the client's roots (asked with roots/list when the client declares the capability). */
async function allowedDirectories(ctx: ToolContext, files: CorpusFiles): Promise<AllowedDirectory[]> {
  let roots: string[] = [];
  try {
    roots = (await ctx.roots?.()) ?? [];
  } catch (err) {
    // A client that declared roots but cannot list them: go on with --data-dir alone (a refusal lists what is allowed).
    ctx.logger.warn({ err: (err as Error).message }, 'roots/list failed');
  }
  const { allowed, unusable } = await files.allowedDirectories(roots);
  if (unusable.length) ctx.logger.warn({ unusable }, 'allowed directories that cannot be used');
  return allowed;
}

const f3 = (x: number) => x.toFixed(3);

function summaryText(res: CorpusResult): string {
  const o = res.summary.overall;
  const lines = [
    `${res.complete ? 'Analysed' : `PARTIAL (${res.stop_reason}):`} ${res.rows.analysed} of ` +
      `${res.rows.read} rows read from ${res.file} (${res.rows.from_cache} from cache; skipped: ` +
      `${res.rows.skipped.malformed} malformed, ${res.rows.skipped.empty_text} empty, ` +
      `${res.rows.skipped.text_too_long} too long, ${res.rows.skipped.unsupported_language} in an ` +
      `unsupported language).`,
  ];
  if (res.rows.language_uncertain > 0)
    lines.push(
      `${res.rows.language_uncertain} rows were read as a served language without a sure identification ` +
        `(language_uncertain; docs/language.md).`,
    );
  if (o.rows > 0) {
    const top = [...o.ekman]
      .sort((a, b) => b.count - a.count)
      .slice(0, 3)
      .map((s) => `${s.label} ${(100 * s.share).toFixed(1)} %`)
      .join(', ');
    const sent = o.sentiment.map((s) => `${s.label} ${(100 * s.share).toFixed(1)} %`).join(', ');
    lines.push(
      `Ekman: ${top}. Sentiment: ${sent}. Valence mean ${f3(o.valence?.mean ?? NaN)}, arousal mean ${f3(o.arousal?.mean ?? NaN)}.`,
    );
  }
  const m = res.summary.memory;
  if (m) {
    const pct = (a: { share: number | null }) => (a.share === null ? 'n/a' : `${(100 * a.share).toFixed(1)} %`);
    const top = m.disagreements[0];
    lines.push(
      `Memory: ${m.rows_with_neighbours} of ${m.rows} rows have labelled neighbours; their top vote agrees ` +
        `with the model's label in ${pct(m.labels)} of ${m.labels.rows} rows (Ekman: ${pct(m.ekman)} of ` +
        `${m.ekman.rows})` +
        (top
          ? `; most frequent disagreement: model ${top.model}, memory ${top.memory} (${top.rows} row${top.rows === 1 ? '' : 's'}).`
          : '.'),
    );
  }
  if (res.summary.groups.length)
    lines.push(
      `Groups: ${res.summary.groups
        .slice(0, 5)
        .map((g) => `${g.group} (n=${g.rows}, valence ${f3(g.valence?.mean ?? NaN)})`)
        .join('; ')}.`,
    );
  if (res.summary.time.length)
    lines.push(
      `Time buckets: ${res.summary.time.length} (${res.summary.time[0].bucket} … ${res.summary.time[res.summary.time.length - 1].bucket}).`,
    );
  lines.push(`Report: ${res.files.report_html}; rows: ${res.files.rows_jsonl}.`);
  return lines.join('\n');
}

function describeCorpus(model: ServedModel | null): string {
  return (
    'Reads a local CSV, TSV, JSON Lines or plain-text file (one text per line) and analyses every text (or a seeded ' +
    `sample) in batches: label distribution with 95 % intervals, Ekman and sentiment shares, valence/arousal means and ` +
    'quantiles, per-group and per-time-bucket summaries, group differences with intervals, example rows. Writes per-row ' +
    'JSON Lines and a self-contained HTML report (returned as resource links). Only reads inside directories allowed by ' +
    `--data-dir or the client's MCP roots; files up to ${MAX_CORPUS_BYTES / 1024 / 1024} MiB and ` +
    `${MAX_CORPUS_ROWS} rows. Re-running reuses unchanged rows. ` +
    `${readsSentence(model)} Rows in other languages are counted as skipped.`
  );
}

export const analyzeCorpusTool: ToolDefinition<typeof input, typeof output> = {
  name: 'analyze_corpus',
  title: 'Analyse the emotions of a whole file of texts',
  description: describeCorpus(null),
  describe: describeCorpus,
  input,
  output,
  // The file can change between calls with the same arguments: never cache whole results (rows are reused instead).
  cache: 'none',
  longRunning: true,
  writesFiles: true,
  handler: async (args, ctx) => presentCorpus(await computeCorpus(args, ctx), filesOf(ctx)),
};

function filesOf(ctx: ToolContext): CorpusFiles {
  if (!ctx.services.files)
    throw new ToolError('internal', 'this server was started without file access for analyze_corpus');
  return ctx.services.files;
}

/** Typed compute: the allowed directories, then the streaming run (src/tools/corpus/run.ts). */
export async function computeCorpus(args: z.infer<typeof input>, ctx: ToolContext): Promise<CorpusResult> {
  const files = filesOf(ctx);
  // memory: true is refused before any file is touched when memory is off or the model has no embeddings
  const memory = args.memory ? corpusMemory(memoryFor(ctx)) : undefined;
  if (memory) await memoryEmbedder(ctx);
  return runCorpus(args, {
    ...(memory ? { memory } : {}),
    files,
    engine: () => bulkEngine(ctx),
    allowed: await allowedDirectories(ctx, files),
    signal: ctx.signal,
    progress: ctx.progress,
    maxTextChars: ctx.services.limits.maxTextChars,
    warn: (message) => ctx.logger.warn({ path: args.path }, message),
    ...(ctx.services.corpusQueue ? { queue: ctx.services.corpusQueue } : {}),
  });
}

/** Presenter: numbers rounded to 4 decimals, a short summary, and the two files as resource links. */
export function presentCorpus(res: CorpusResult, files: Pick<CorpusFiles, 'uriOf'>) {
  return {
    structured: round4(res),
    summary: summaryText(res),
    links: [
      {
        uri: files.uriOf(res.files.report_html),
        name: 'report.html',
        title: 'Emotion report (HTML)',
        mimeType: 'text/html',
        description: 'Self-contained HTML report with charts and tables',
      },
      {
        uri: files.uriOf(res.files.rows_jsonl),
        name: 'rows.jsonl',
        title: 'Per-row results (JSON Lines)',
        mimeType: 'application/jsonl',
        description: 'One JSON object per analysed row, with a header and a footer line',
      },
    ],
  };
}
