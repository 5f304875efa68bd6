// Every tool reads texts through the reading pipeline (src/tools/reading): it alone decides a text's language and
// calls the engine, so a text is read once, as decided. A failure names the file and what it does outside it.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../../helpers/imports.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const TOOLS = join(ROOT, 'src', 'tools');
const PIPELINE = join(TOOLS, 'reading');
const LANGUAGE = join(ROOT, 'src', 'engine', 'language.ts');

const strip = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** What one tools file does that only the pipeline may do. */
export function bypasses(file: string, code: string): string[] {
  const name = relative(ROOT, file);
  const out: string[] = [];
  for (const spec of importsOf(code)) {
    if (spec.startsWith('.') && resolve(dirname(file), spec).replace(/\.js$/, '.ts') === LANGUAGE)
      out.push(`${name}: imports '${spec}' (the language decision)`);
  }
  const body = strip(code);
  if (/\.\s*analyze(WithMembers)?\s*\(/.test(body)) out.push(`${name}: calls the engine's analyze()`);
  if (/services\s*\.\s*engine\b/.test(body)) out.push(`${name}: takes the engine from ctx.services.engine`);
  return out;
}

describe('tools read texts only through the reading pipeline', () => {
  const files = sourceFiles(TOOLS);
  const outside = files.filter((f) => !f.startsWith(PIPELINE + sep));

  it('no tool outside src/tools/reading decides a language, takes the engine or calls it', () => {
    expect(outside.length).toBeGreaterThan(20);
    expect(outside.flatMap((f) => bypasses(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('the pipeline itself is where the decision and the engine call are', () => {
    const inside = files.filter((f) => f.startsWith(PIPELINE + sep));
    expect(
      inside
        .flatMap((f) => bypasses(f, readFileSync(f, 'utf8')))
        .map((v) => v.split(': ')[1])
        .sort(),
    ).toEqual([
      "calls the engine's analyze()",
      "imports '../../engine/language.js' (the language decision)",
      'takes the engine from ctx.services.engine',
    ]);
  });

  it('would catch each way around it', () => {
    const probe = (code: string) => bypasses(join(TOOLS, 'probe.ts'), code);
    expect(probe("import { decideLanguage } from '../engine/language.js';")).toHaveLength(1);
    expect(probe('const [a] = await engine.analyze([text], { signal });')).toHaveLength(1);
    expect(probe('const e = await ctx.services.engine.require();')).toHaveLength(1);
    expect(
      probe("// engine.analyze(texts) is the pipeline's job\nimport { readAll } from './reading/pipeline.js';"),
    ).toEqual([]);
  });
});
