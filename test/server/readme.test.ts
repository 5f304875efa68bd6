// The README is the user's reference: every setting the server accepts must be documented there.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SETTINGS } from '../../src/server/config.js';
import { TOOLS } from '../../src/tools/index.js';

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
});
