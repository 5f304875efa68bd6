// How the pipeline's reader reads a text: a text of one sentence is read whole (in windows when it is longer than
// one window); a text of more sentences is read sentence by sentence and its reading aggregated from theirs by the
// document rule (src/analysis/emotion/document.ts, docs/emotion.md "Documents"). Every tool reads through this, so
// analyze_emotion, bentham_score, regret_forecast, full_analysis, analyze_conversation and analyze_corpus see the
// same reading of the same text.
import { DOCUMENT_RULE, documentAnalysis, documentParts, type LabelRule } from '../../analysis/emotion/document.js';
import type { DecidedLanguage, TextAnalysis, TextEngine } from '../../core/model.js';

/**
 * Reads every text in one engine call. A sentence is read as its text's language (confidence null: the decision
 * belongs to the text), so the analysis memo shares it with `granularity: "sentence"`.
 */
export async function readDocuments(
  engine: Pick<TextEngine, 'model' | 'analyze'>,
  texts: readonly string[],
  decided: readonly DecidedLanguage[],
  signal: AbortSignal | undefined,
  rule: LabelRule = DOCUMENT_RULE,
): Promise<TextAnalysis[]> {
  const parts = texts.map((t, i) => documentParts(t, decided[i].language));
  const jobs: Array<{ text: string; decided: DecidedLanguage }> = [];
  texts.forEach((text, i) => {
    if (parts[i].length <= 1) jobs.push({ text, decided: decided[i] });
    else
      for (const p of parts[i])
        jobs.push({ text: p.text, decided: { language: decided[i].language, confidence: null } });
  });
  const read = jobs.length
    ? await engine.analyze(
        jobs.map((j) => j.text),
        { decided: jobs.map((j) => j.decided), ...(signal ? { signal } : {}) },
      )
    : [];
  let k = 0;
  return texts.map((_, i) => {
    if (parts[i].length <= 1) return read[k++];
    const mine = parts[i].map((p) => ({ start: p.start, end: p.end, analysis: read[k++] }));
    return documentAnalysis(mine, engine.model, decided[i], rule);
  });
}
