import { delimiter, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';

describe('--data-dir', () => {
  it('defaults to no directory', () => {
    expect(loadConfig([], {}).config.dataDirs).toEqual([]);
  });
  it('is repeatable, resolves relative paths, and adds to RED_HEART_DATA_DIRS', () => {
    const { config } = loadConfig(['--data-dir', '/srv/a', '--data-dir=rel/b'], {
      RED_HEART_DATA_DIRS: ['/env/x', '/env/y'].join(delimiter),
    });
    expect(config.dataDirs).toEqual(['/env/x', '/env/y', '/srv/a', resolve('rel/b')]);
  });
  it('needs a value', () => {
    expect(() => loadConfig(['--data-dir'], {})).toThrow(/needs a value/);
  });
});
