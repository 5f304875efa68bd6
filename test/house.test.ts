// House rules checked on the repository itself: the product speaks of the product, so no file refers to tracker
// items by number (a reader of the repository has no tracker to look them up in); source file names are kebab-case.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const PROCESS_WORD = /\bissues?[ -]#?\d+/i;

/** Lines that name a tracker item, as "file:line: text". */
export function processWords(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, i) => (PROCESS_WORD.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : []));
}

describe('no process words', () => {
  it('the check flags tracker references and passes ordinary prose', () => {
    // the examples are assembled so that this file itself names no tracker item
    const word = (plural = '') => `issue${plural}`;
    expect(processWords('a.ts', `// (${word()} 14 item 8)\nconst x = 1;`)).toEqual([
      `a.ts:1: // (${word()} 14 item 8)`,
    ]);
    expect(processWords('b.md', `shipped model (${word('s')} 6, 14; mappings)`)).toHaveLength(1);
    expect(processWords('c.md', `The ${word()}-14 bar`)).toHaveLength(1);
    expect(processWords('d.md', 'a known issue with 2 workers; 14 issues')).toEqual([]);
  });

  it('no tracked text file refers to a tracker issue by number', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const found = files
      .filter((f) => !/\.(onnx|png|safetensors|npz|bin)$/.test(f))
      .flatMap((f) => {
        const buf = readFileSync(join(ROOT, f));
        return buf.includes(0) ? [] : processWords(f, buf.toString('utf8'));
      });
    expect(found).toEqual([]);
  });
});

/** Source and test files whose name is not kebab-case (lower-case words joined by '-', then the extension). */
export function nonKebabNames(files: readonly string[]): string[] {
  return files.filter((f) => {
    const name = f.split('/').pop() ?? f;
    return !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)+$/.test(name);
  });
}

describe('file names', () => {
  it('the check flags snake_case and camelCase names and passes kebab-case ones', () => {
    expect(
      nonKebabNames(['src/tools/emotion_reading.ts', 'src/a/fooBar.ts', 'src/a/ok-name.ts', 'test/x.test.ts']),
    ).toEqual(['src/tools/emotion_reading.ts', 'src/a/fooBar.ts']);
  });

  it('every file under src/ and every test file under test/ has a kebab-case name', () => {
    const files = execFileSync('git', ['ls-files', '-z', 'src', 'test'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f.startsWith('src/') || (f.startsWith('test/') && f.endsWith('.ts')));
    expect(nonKebabNames(files)).toEqual([]);
  });
});
