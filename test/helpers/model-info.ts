// The ModelInfo that unit tests of the emotion mappings hand to the analyses: the labels of a real manifest (the
// shipped one or a fixture) under a stand-in identity, with the thresholds the test chooses.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Language, ModelInfo } from '../../src/core/model.js';

const ROOT = resolve(import.meta.dirname, '../..');

type Head = 'goemotions' | 'kote';

/**
 * The first model of a manifest (by its path from the repository root): its labels and languages (en and ko when it
 * lists none) under a stand-in identity (id `m`, version 1, a placeholder sha256, 1 parameter, 16 tokens); label
 * `i` of a head gets the threshold `threshold(head, i)`.
 */
export function manifestModel(manifest: string, threshold: (head: Head, i: number) => number = () => 0.5): ModelInfo {
  const entry = JSON.parse(readFileSync(resolve(ROOT, manifest), 'utf8')).models[0] as {
    languages?: Language[];
    outputs: Record<string, { labels: string[] } | undefined>;
  };
  const labels = (output: string) => entry.outputs[output]?.labels;
  const goemotions = labels('goemotions_logits') ?? [];
  const kote = labels('kote_logits') ?? [];
  const zh = labels('cped_emotion_logits')
    ? {
        cpedEmotion: labels('cped_emotion_logits'),
        cpedSentiment: labels('cped_sentiment_logits'),
        xed: labels('xed_logits'),
      }
    : {};
  return {
    id: 'm',
    version: '1',
    sha256: 'a'.repeat(64),
    parameters: 1,
    maxLength: 16,
    languages: entry.languages ?? ['en', 'ko'],
    labels: { goemotions, kote, ...zh },
    thresholds: {
      goemotions: goemotions.map((_, i) => threshold('goemotions', i)),
      kote: kote.map((_, i) => threshold('kote', i)),
    },
  };
}
