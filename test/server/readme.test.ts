// The README is the user's reference: every setting the server accepts must be documented there.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SETTINGS } from '../../src/server/config.js';
import { TOOLS } from '../../src/tools/index.js';
// @ts-expect-error plain ESM script shared with the command line
import { RECORDED, renderReadme, staleBlocks } from '../../scripts/readme-examples.mjs';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration variable and flag', () => {
    for (const s of CONFIG_SETTINGS) {
      expect(README, s.env).toContain(`\`${s.env}\``);
      if (!s.envOnly) expect(README, s.flag).toContain(`\`${s.flag}\``);
    }
  });
  it('has a section for every tool and the two commands', () => {
    for (const t of TOOLS) expect(README).toContain(`### \`${t.name}\``);
    expect(README).toContain('npm start');
    expect(README).toContain('npm test');
  });

  describe('tool examples are the recorded outputs (scripts/readme-examples.mjs)', () => {
    const recorded = JSON.parse(readFileSync(RECORDED, 'utf8')) as { calls: Array<{ readme?: string }> };
    const names = recorded.calls.flatMap((c) => (c.readme ? [c.readme] : []));

    it('every README example recording has exactly one block in README', () => {
      expect(names.length).toBeGreaterThanOrEqual(8);
      for (const name of names) expect(README.split(`<!-- recorded: ${name} -->`).length - 1, name).toBe(1);
    });

    it('each block equals its rendering from test/fixtures/recorded-calls.json', () => {
      expect(staleBlocks(README, renderReadme(README, recorded))).toEqual([]);
    });

    it('a block edited by hand is reported by name', () => {
      const edited = README.replace(/(<!-- recorded: bentham_score -->\n```\n)Final score/, '$1Final  score');
      expect(edited).not.toBe(README);
      expect(staleBlocks(edited, renderReadme(edited, recorded))).toEqual(['bentham_score']);
    });
  });
});
