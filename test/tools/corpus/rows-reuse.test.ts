// An earlier per-row JSONL is checked whole before any row of it is reused: an edited or damaged file is ignored
// with a warning and rewritten by the run (never trusted, never sticky), and the summary is the fresh one.
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import { analyzeCorpusTool } from '../../../src/tools/analyze-corpus.js';
import { textHash } from '../../../src/tools/corpus/rows.js';
import { fakeEngine, type FakeSpec } from '../../helpers/fake-engine.js';
import { toolContext } from '../../helpers/tool-context.js';

function mood(text: string): FakeSpec {
  if (text.includes('happy')) return { go: { joy: 0.9 }, vad: [4.5, 4, 3] };
  if (text.includes('angry')) return { go: { anger: 0.8, annoyance: 0.6 }, vad: [1.5, 4, 3] };
  return { go: { neutral: 0.9 }, vad: [3, 2, 3] };
}
const TEXTS = Array.from({ length: 30 }, (_, i) =>
  i % 3 === 0 ? `a happy day ${i}` : i % 3 === 1 ? `an angry note ${i}` : `a plain line ${i}`,
);

function setup() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rh-rows-reuse-')));
  writeFileSync(join(dir, 'notes.txt'), `${TEXTS.join('\n')}\n`);
  const warnings: string[] = [];
  const run = async (detail = 'standard') => {
    const engine = fakeEngine(mood);
    const base = toolContext(engine);
    const logger = pino({ level: 'warn' }, { write: (s: string) => warnings.push(JSON.parse(s).msg) });
    const ctx = { ...base, logger, services: { ...base.services, files: createCorpusFiles([dir]) } };
    const out = await analyzeCorpusTool.handler(
      analyzeCorpusTool.input.parse({ path: join(dir, 'notes.txt'), detail }),
      ctx,
    );
    expect(analyzeCorpusTool.output.safeParse(out.structured).success).toBe(true);
    return { s: out.structured, calls: engine.calls.flat().length };
  };
  const jsonl = join(dir, 'notes.txt.emotions.jsonl');
  const lines = () => readFileSync(jsonl, 'utf8').trim().split('\n');
  const edit = (f: (lines: string[]) => string[]) => writeFileSync(jsonl, `${f(lines()).join('\n')}\n`);
  return { run, edit, lines, warnings };
}

const EDITS: Array<[string, (lines: string[]) => string[]]> = [
  ['a label the model does not have', (l) => l.map((x, i) => (i === 1 ? x.replace('"joy"', '"bliss"') : x))],
  ['a probability of 7', (l) => l.map((x, i) => (i === 2 ? x.replace(/"arousal":[0-9.]+/, '"arousal":7') : x))],
  [
    'a missing field',
    (l) => l.map((x, i) => (i === 3 ? JSON.stringify({ ...JSON.parse(x), detected: undefined }) : x)),
  ],
  [
    'a count forged above the total',
    (l) =>
      l.map((x, i) =>
        i === 4
          ? JSON.stringify({
              ...JSON.parse(x),
              detected: Array.from({ length: 40 }, () => ({ label: 'joy', score: 0.9 })),
            })
          : x,
      ),
  ],
  ['rows out of order', (l) => [l[0], l[2], l[1], ...l.slice(3)]],
  ['a damaged line in the middle', (l) => l.map((x, i) => (i === 5 ? x.slice(0, 20) : x))],
  [
    "a header that is not this tool's",
    (l) => [JSON.stringify({ type: 'header', format_version: 1, model: 'x' }), ...l.slice(1)],
  ],
];

describe('reusing an earlier per-row file', () => {
  it('a sound file is reused row by row (the text hash is the 64-bit fingerprint of each text)', async () => {
    const t = setup();
    const first = await t.run();
    expect(JSON.parse(t.lines()[1]).h).toBe(textHash(TEXTS[0]));
    expect(JSON.parse(t.lines()[1]).h).toMatch(/^[0-9a-f]{16}$/);
    const again = await t.run();
    expect(again.calls).toBe(0);
    expect(again.s.rows.from_cache).toBe(30);
    expect(again.s.summary).toEqual(first.s.summary);
    expect(t.warnings).toEqual([]);
  });

  for (const [what, change] of EDITS) {
    it(`${what}: ignored with a warning, analysed fresh, rewritten; the next run reuses the rewritten file`, async () => {
      const t = setup();
      const fresh = await t.run();
      const sound = t.lines();
      t.edit(change);
      const after = await t.run();
      expect(after.s.rows.from_cache).toBe(0);
      expect(after.calls).toBe(30);
      expect(after.s.summary).toEqual(fresh.s.summary);
      expect(t.warnings.some((w) => /earlier per-row file is not reused .*ignored and rewritten/.test(w))).toBe(true);
      expect(t.lines()).toEqual(sound); // rewritten as a fresh run writes it
      const third = await t.run();
      expect(third.s.rows.from_cache).toBe(30); // not sticky
    });
  }

  it('a torn last line (a run killed mid-write) still lets the rows before it be reused', async () => {
    const t = setup();
    await t.run();
    t.edit((l) => [...l.slice(0, 11), l[11].slice(0, 30)]); // header, 10 rows, half of row 11; no footer
    const after = await t.run();
    expect(after.s.rows.from_cache).toBe(10);
    expect(t.warnings).toEqual([]);
  });
});
