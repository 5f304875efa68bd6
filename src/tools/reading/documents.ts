// How the pipeline's reader reads a text (docs/emotion.md, "Documents"):
// - a text that fits in one model window is read whole, as it always was (its annotators, too, read a comment
//   whole); when it has several sentences and the caller asks for them (analyze_emotion's granularity "sentence"),
//   its sentences are read beside it in the same engine call, for the strongest-sentence block only;
// - a text longer than one window and of several sentences is read sentence by sentence and its reading aggregated
//   from theirs by the document rule (src/analysis/emotion/document.ts) instead of the per-label maximum over
//   windows, which let one polite closing headline an angry letter;
// - one sentence longer than a window is read in windows (src/engine/chunking.ts).
// Whether a text fits in one window is what the engine counts by tokenizing it (`windows`, the `chunks` its reading
// would report), so everything is read in one engine call; an engine that cannot count (the method is optional) is
// told by its reading of the whole text, and the sentences of a long text are read in a second call. Every tool reads
// through this, so analyze_emotion, bentham_score,
// regret_forecast, full_analysis, analyze_conversation and analyze_corpus see the same reading of the same text.
import {
  DOCUMENT_RULE,
  documentAnalysis,
  documentParts,
  partWeights,
  type LabelRule,
} from '../../analysis/emotion/document.js';
import type { DecidedLanguage, TextAnalysis, TextEngine } from '../../core/model.js';

/**
 * `hybrid` (the server's): a text is read by its sentences only when it is longer than one window; `sentences`:
 * every text of several sentences is read by its sentences (the rule first tried, kept for eval/ to compare).
 */
export type DocumentMode = 'hybrid' | 'sentences';

export interface ReadDocumentOptions {
  /** Also read the sentences of a text that fits one window (the strongest-sentence block), in the same call. */
  sentences?: boolean;
  rule?: LabelRule;
  mode?: DocumentMode;
}

/**
 * Reads every text in one engine call (two when the engine cannot count windows and a text of several sentences
 * turns out to be longer than one). A sentence is read as its text's language (confidence null: the decision belongs
 * to the text), so the analysis memo shares it with `granularity: "sentence"`.
 */
export async function readDocuments(
  engine: Pick<TextEngine, 'model' | 'analyze' | 'windows'>,
  texts: readonly string[],
  decided: readonly DecidedLanguage[],
  signal: AbortSignal | undefined,
  opts: ReadDocumentOptions = {},
): Promise<TextAnalysis[]> {
  const mode = opts.mode ?? 'hybrid';
  const rule = opts.rule ?? DOCUMENT_RULE;
  const parts = texts.map((t, i) => documentParts(t, decided[i].language));
  const several = (i: number) => parts[i].length > 1;
  // the texts of several sentences known to be longer than one window before reading (by the engine's count)
  const long = new Set<number>();
  if (mode === 'hybrid' && engine.windows) {
    const which = texts.flatMap((_, i) => (several(i) ? [i] : []));
    const counts = which.length ? engine.windows(which.map((i) => texts[i])) : [];
    which.forEach((i, k) => counts[k] > 1 && long.add(i));
  }
  const sentenceOf = (i: number) => ({ language: decided[i].language, confidence: null });
  const whole: Array<TextAnalysis | undefined> = texts.map(() => undefined);
  const read: Array<TextAnalysis[] | undefined> = texts.map(() => undefined);

  // First call: every text whole (not those read by their sentences alone), and the sentences wanted now.
  const jobs: Array<{ text: string; decided: DecidedLanguage; put: (a: TextAnalysis) => void }> = [];
  const sentenceJobs = (i: number) => {
    const out: TextAnalysis[] = [];
    read[i] = out;
    for (const p of parts[i]) jobs.push({ text: p.text, decided: sentenceOf(i), put: (a) => out.push(a) });
  };
  texts.forEach((text, i) => {
    const bySentences = several(i) && (mode === 'sentences' || long.has(i));
    if (!bySentences) jobs.push({ text, decided: decided[i], put: (a) => (whole[i] = a) });
    if (bySentences || (several(i) && opts.sentences)) sentenceJobs(i);
  });
  await run(engine, jobs, signal);

  // Second call (an engine that cannot count windows): the sentences of the texts of several sentences whose whole
  // reading took more than one window.
  jobs.length = 0;
  texts.forEach((_, i) => {
    if (several(i) && !read[i] && whole[i]!.chunks > 1) sentenceJobs(i);
  });
  await run(engine, jobs, signal);

  return texts.map((_, i) => {
    const own = read[i];
    if (!own) return whole[i]!;
    const mine = parts[i].map((p, k) => ({ start: p.start, end: p.end, analysis: own[k] }));
    const w = whole[i];
    if (w && w.chunks === 1) {
      // read whole; the sentences are kept beside the reading for the strongest-sentence block
      const weights = partWeights(own, engine.model);
      return { ...w, sentences: mine.map((p, k) => ({ ...p, weight: weights[k] })) };
    }
    return documentAnalysis(mine, engine.model, decided[i], rule);
  });
}

async function run(
  engine: Pick<TextEngine, 'analyze'>,
  jobs: ReadonlyArray<{ text: string; decided: DecidedLanguage; put: (a: TextAnalysis) => void }>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (jobs.length === 0) return;
  const out = await engine.analyze(
    jobs.map((j) => j.text),
    { decided: jobs.map((j) => j.decided), ...(signal ? { signal } : {}) },
  );
  jobs.forEach((j, k) => j.put(out[k]));
}
