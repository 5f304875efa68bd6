// The layer rule of docs/architecture.md, checked on the source: every import of every file under src/ must point
// to its own layer or one below it, and the pure layers (analysis, core) import no I/O module. A failure names the
// file and the import that break the rule.
import { readFileSync } from 'node:fs';
import { importsOf, sourceFiles } from './helpers/imports.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

type Layer = 'server' | 'tools' | 'analysis' | 'engine' | 'core';

/** What each layer may import (besides itself). analysis and engine are siblings: neither imports the other. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  server: ['tools', 'analysis', 'engine', 'core'],
  tools: ['analysis', 'engine', 'core'],
  analysis: ['core'],
  engine: ['core'],
  core: [],
};

/** Packages a layer may import. analysis and core are pure computation: no file, network, model or logging module. */
const PACKAGES: Record<Layer, (name: string) => boolean> = {
  server: () => true,
  tools: (name) => name === 'zod' || name === 'pino',
  analysis: () => false,
  engine: (name) => !name.startsWith('@modelcontextprotocol/'),
  core: () => false,
};

function layerOf(file: string): Layer | null {
  const top = relative(SRC, file).split(sep)[0] as Layer;
  return top in ALLOWED ? top : null;
}

/** The imports of one file that break the rule, as "file: 'import' (why)". */
export function violations(file: string, code: string): string[] {
  const layer = layerOf(file);
  const name = relative(ROOT, file);
  if (!layer) return [`${name}: not in a layer (src/server, src/tools, src/analysis, src/engine or src/core)`];
  const bad: string[] = [];
  for (const spec of importsOf(code)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const to = target.startsWith(SRC + sep) ? layerOf(target) : null;
      if (to === null) bad.push(`${name}: '${spec}' (outside the layers of src/)`);
      else if (to !== layer && !ALLOWED[layer].includes(to))
        bad.push(`${name}: '${spec}' (${layer} must not import ${to})`);
    } else {
      const pkg = spec.startsWith('node:')
        ? spec
        : spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/');
      if (!PACKAGES[layer](pkg)) bad.push(`${name}: '${spec}' (${layer} must not import the module ${pkg})`);
    }
  }
  return bad;
}

describe('layers point one way (docs/architecture.md)', () => {
  const files = sourceFiles(SRC);

  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(
      importsOf(
        "import { a } from './a.js';\nexport * from '../b.js';\nimport type {\n  C,\n} from 'c';\nawait import('d');",
      ),
    ).toEqual(['./a.js', '../b.js', 'c', 'd']);
  });

  it('no file imports a layer above its own, and analysis/core import no I/O module', () => {
    expect(files.flatMap((f) => violations(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('would catch an upward import and an I/O import in the pure layers', () => {
    const probe = (layer: Layer, code: string) => violations(join(SRC, layer, 'probe.ts'), code).length;
    expect(probe('engine', "import { ToolError } from '../tools/types.js';")).toBe(1);
    expect(probe('analysis', "import type { TextAnalysis } from '../engine/types.js';")).toBe(1);
    expect(probe('analysis', "import { readFileSync } from 'node:fs';")).toBe(1);
    expect(probe('core', "import ort from 'onnxruntime-node';")).toBe(1);
    expect(probe('tools', "import { ResultCache } from '../server/cache.js';")).toBe(1);
    expect(
      probe('server', "import { ToolError } from '../core/errors.js';\nimport { TOOLS } from '../tools/index.js';"),
    ).toBe(0);
  });
});
