// Shares model outputs between tools: the same text analysed by analyze_emotion, the text paths of
// bentham_score / regret_forecast and full_analysis costs one encoder pass. Keyed by model id, the decided language
// (or, for callers that did not decide, the requested one) and text; in-flight analyses are shared too, so concurrent
// sections of one call wait on one pass.
import type { EngineHandle } from './handle.js';
import type { AnalyzeOptions, TextAnalysis, TextEngine } from '../core/model.js';

export interface MemoStats {
  entries: number;
  hits: number;
  misses: number;
}

export class AnalysisMemo {
  private readonly entries = new Map<string, Promise<TextAnalysis>>();
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxEntries = 1024) {}

  /** Wraps an engine so every analyze() goes through this memo. */
  wrap(engine: TextEngine): TextEngine {
    return {
      model: engine.model,
      analyze: (texts, options) => this.analyze(engine, texts, options),
      ...(engine.windows ? { windows: engine.windows.bind(engine) } : {}),
      // embeddings are asked for by the memory tools only: not memoised
      ...(engine.embed && engine.embedder ? { embedder: engine.embedder, embed: engine.embed.bind(engine) } : {}),
    };
  }

  async analyze(engine: TextEngine, texts: string[], options: AnalyzeOptions = {}): Promise<TextAnalysis[]> {
    const language = options.language ?? 'auto';
    const { decided } = options;
    const readAs = (i: number) => (decided ? `${decided[i].language}:${decided[i].confidence}` : language);
    const keys = texts.map((t, i) => `${engine.model.id}\u0000${readAs(i)}\u0000${t}`);
    const optionsFor = (idx: number[]) => (decided ? { language, decided: idx.map((i) => decided[i]) } : { language });
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const cached = this.entries.get(keys[i]);
      if (cached) {
        this.hits++;
        // Refresh recency.
        this.entries.delete(keys[i]);
        this.entries.set(keys[i], cached);
      } else if (missing.some((j) => keys[j] === keys[i])) {
        this.hits++; // repeated within this call: computed once
      } else {
        missing.push(i);
      }
    }
    if (missing.length > 0) {
      this.misses += missing.length;
      // The shared pass runs without any one caller's signal: a caller that cancels must not fail the others.
      const batch = engine.analyze(
        missing.map((i) => texts[i]),
        optionsFor(missing),
      );
      missing.forEach((i, k) => {
        const one = batch.then((r) => r[k]);
        one.catch(() => this.entries.delete(keys[i]));
        this.entries.set(keys[i], one);
      });
      while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    const all = Promise.all(
      keys.map((k, i) => this.entries.get(k) ?? engine.analyze([texts[i]], optionsFor([i])).then((r) => r[0])),
    );
    return options.signal ? raceAbort(all, options.signal) : all;
  }

  stats(): MemoStats {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** An EngineHandle (or any handle with require) whose engine analyses go through the memo. */
export function memoizedHandle<H extends Pick<EngineHandle, 'require' | 'requireBulk'>>(
  handle: H,
  memo: AnalysisMemo,
): H {
  const wrapped = Object.create(handle) as H;
  let cached: { engine: TextEngine; wrapper: TextEngine } | undefined;
  wrapped.require = async () => {
    const engine = await handle.require();
    if (cached?.engine !== engine) cached = { engine, wrapper: memo.wrap(engine) };
    return cached.wrapper;
  };
  wrapped.requireBulk = () => handle.require();
  return wrapped;
}
