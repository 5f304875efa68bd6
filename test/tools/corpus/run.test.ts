// runCorpus's own rules that the tool tests do not reach: the server's row limit (maxRows).
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import { runCorpus } from '../../../src/tools/corpus/run.js';
import { fakeEngine } from '../../helpers/fake-engine.js';

let base: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-run-')));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

it('the rows read before the row limit stopped the reading are analysed, not dropped', async () => {
  // 12 rows, limit 10: rows 1..10 are read and must all be analysed (they once waited in a batch that was never read)
  writeFileSync(join(base, 'in.txt'), Array.from({ length: 12 }, (_, i) => `happy line ${i + 1}`).join('\n') + '\n');
  const files = createCorpusFiles([base]);
  const engine = fakeEngine(() => ({ go: { joy: 0.9 }, vad: [4.5, 4, 3] }));
  const res = await runCorpus(
    { path: join(base, 'in.txt'), time_bucket: 'month', language: 'auto', detail: 'summary' },
    {
      engine: async () => engine,
      files,
      allowed: (await files.allowedDirectories([])).allowed,
      signal: new AbortController().signal,
      progress: async () => {},
      maxTextChars: 1000,
      maxRows: 10,
    },
  );
  expect(res.complete).toBe(false);
  expect(res.stop_reason).toBe('the file has more than 10 rows; only the first 10 were read (the row limit)');
  expect(res.rows).toMatchObject({ read: 10, analysed: 10 });
  expect(engine.calls.flat()).toHaveLength(10);
  const lines = readFileSync(res.files.rows_jsonl, 'utf8').trim().split('\n');
  expect(lines.slice(1, -1).map((l) => JSON.parse(l).row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ complete: false, rows_written: 10 });
});
