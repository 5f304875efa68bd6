import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutputDir,
  checkReplaceable,
  openInput,
  resolveAllowed,
  rootPaths,
  type AllowedDirectory,
} from '../../../src/server/corpus/path-guard.js';
import { ToolError } from '../../../src/core/errors.js';

let base: string;
let allowed: AllowedDirectory[];

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-guard-')));
  mkdirSync(join(base, 'data/sub'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'data/ok.csv'), 'text\nhello\n');
  writeFileSync(join(base, 'data/sub/nested.txt'), 'hi\n');
  writeFileSync(join(base, 'outside/secret.txt'), 'secret\n');
  symlinkSync(join(base, 'outside/secret.txt'), join(base, 'data/escape.txt'));
  symlinkSync(join(base, 'outside'), join(base, 'data/escape-dir'));
  symlinkSync(join(base, 'data/ok.csv'), join(base, 'data/inner-link.csv'));
  execFileSync('mkfifo', [join(base, 'data/pipe.csv')]);
  allowed = (await resolveAllowed([{ path: join(base, 'data'), source: '--data-dir' }])).allowed;
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return err as ToolError;
  }
  throw new Error('expected a refusal');
}

describe('openInput', () => {
  it('opens a regular file inside an allowed directory (also through a link that stays inside)', async () => {
    for (const p of ['data/ok.csv', 'data/inner-link.csv', 'data/sub/nested.txt']) {
      const f = await openInput(join(base, p), allowed, 1000);
      expect(f.size).toBeGreaterThan(0);
      await f.handle.close();
    }
  });

  it('with no allowed directory, explains how to allow one', async () => {
    const e = await refusal(openInput(join(base, 'data/ok.csv'), [], 1000));
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(/no directory is allowed.*--data-dir DIR/);
  });

  it('refuses a path outside every allowed directory', async () => {
    const e = await refusal(openInput(join(base, 'outside/secret.txt'), allowed, 1000));
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(/outside every allowed directory/);
    expect(e.message).toContain(join(base, 'data'));
  });

  it('refuses any .. segment, even one that would land inside', async () => {
    for (const p of [`${base}/data/../outside/secret.txt`, `${base}/data/sub/../ok.csv`]) {
      const e = await refusal(openInput(p, allowed, 1000));
      expect(e.code).toBe('path_not_allowed');
      expect(e.message).toMatch(/'\.\.' segment/);
    }
  });

  it('refuses relative paths', async () => {
    const e = await refusal(openInput('data/ok.csv', allowed, 1000));
    expect(e.message).toMatch(/absolute path/);
  });

  it('refuses symbolic links (file or directory) that lead outside', async () => {
    for (const p of ['data/escape.txt', 'data/escape-dir/secret.txt']) {
      const e = await refusal(openInput(join(base, p), allowed, 1000));
      expect(e.code).toBe('path_not_allowed');
      expect(e.message).toMatch(/symbolic link .* outside every allowed directory/);
    }
  });

  it('refuses a FIFO without blocking on it', async () => {
    const e = await refusal(openInput(join(base, 'data/pipe.csv'), allowed, 1000));
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(/FIFO/);
  });

  it('refuses devices and directories', async () => {
    const dev = (await resolveAllowed([{ path: '/dev', source: 'test' }])).allowed;
    expect((await refusal(openInput('/dev/null', dev, 1000))).message).toMatch(/character device/);
    expect((await refusal(openInput(join(base, 'data/sub'), allowed, 1000))).message).toMatch(/a directory/);
  });

  it('refuses a file over the byte limit, naming both sizes', async () => {
    const e = await refusal(openInput(join(base, 'data/ok.csv'), allowed, 5));
    expect(e.code).toBe('limit_exceeded');
    expect(e.message).toMatch(/has 11 bytes; the limit is 5 bytes/);
  });

  it('says when the file does not exist', async () => {
    const e = await refusal(openInput(join(base, 'data/none.csv'), allowed, 1000));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toMatch(/does not exist/);
  });
});

describe('output directory', () => {
  it('accepts an allowed directory and refuses outside ones and links out', async () => {
    expect(await checkOutputDir(join(base, 'data/sub'), allowed)).toBe(join(base, 'data/sub'));
    expect((await refusal(checkOutputDir(join(base, 'outside'), allowed))).code).toBe('path_not_allowed');
    expect((await refusal(checkOutputDir(join(base, 'data/escape-dir'), allowed))).message).toMatch(/symbolic link/);
  });
  it('never replaces a link or FIFO', async () => {
    await checkReplaceable(join(base, 'data/ok.csv'));
    await checkReplaceable(join(base, 'data/not-there.jsonl'));
    expect((await refusal(checkReplaceable(join(base, 'data/escape.txt')))).message).toMatch(/symbolic link/);
    expect((await refusal(checkReplaceable(join(base, 'data/pipe.csv')))).message).toMatch(/FIFO/);
  });
});

describe('allowed directories', () => {
  it('resolves real paths, drops duplicates, reports unusable entries', async () => {
    const r = await resolveAllowed([
      { path: join(base, 'data'), source: '--data-dir' },
      { path: join(base, 'data/../data'), source: 'MCP root' },
      { path: join(base, 'missing'), source: '--data-dir' },
      { path: join(base, 'data/ok.csv'), source: 'MCP root' },
    ]);
    expect(r.allowed).toEqual([{ dir: join(base, 'data'), source: '--data-dir' }]);
    expect(r.unusable).toHaveLength(2);
  });
  it('reads file:// roots only', () => {
    expect(rootPaths([pathToFileURL('/srv/a b').href, 'https://example.org/x', 'file:///tmp'])).toEqual([
      '/srv/a b',
      '/tmp',
    ]);
  });
});
