// analyze_corpus under attack on its files: a directory of the path flipped to a symbolic link (to an outside
// directory) in a tight loop by another process while 300 calls run; a full disk and a read-only disk; a hard link
// to an outside file; outside paths that exist and that do not. Nothing may be read or written outside, no
// temporary file may be left anywhere, and every failure must be a named refusal or io_error, never `internal`.
import { spawn, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../../src/core/errors.js';
import { createCorpusFiles } from '../../../src/server/corpus/files.js';
import { analyzeCorpusTool } from '../../../src/tools/analyze-corpus.js';
import { requirement } from '../../helpers/require.js';
import { fakeEngine, type FakeSpec } from '../../helpers/fake-engine.js';
import { toolContext } from '../../helpers/tool-context.js';

// The fake model reads a keyword: the inside file says "happy" (valence +0.75), the outside file "angry" (−0.75).
const mood = (text: string): FakeSpec =>
  text.includes('happy') ? { go: { joy: 0.9 }, vad: [4.5, 4, 3] } : { go: { anger: 0.8 }, vad: [1.5, 4, 3] };

let base: string;
let data: string;
let outside: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'corpus-race-')));
  data = join(base, 'data');
  outside = join(base, 'outside');
  mkdirSync(join(data, 'sub'), { recursive: true });
  mkdirSync(join(outside, 'sub'), { recursive: true });
  writeFileSync(join(data, 'sub/in.csv'), 'text\nhappy one\nhappy two\nhappy three\n');
  writeFileSync(join(outside, 'sub/in.csv'), 'text\nangry secret one\nangry secret two\n');
  writeFileSync(join(outside, 'secret.csv'), 'text\nangry secret\n');
});
afterAll(() => {
  try {
    chmodSync(join(base, 'ro'), 0o755);
  } catch {
    /* not created */
  }
  rmSync(base, { recursive: true, force: true });
});

async function run(path: string, dirs: string[] = [data], extra: Record<string, unknown> = {}) {
  const c = toolContext(fakeEngine(mood));
  const ctx = { ...c, services: { ...c.services, files: createCorpusFiles(dirs) } };
  return analyzeCorpusTool.handler(analyzeCorpusTool.input.parse({ path, text_field: 'text', ...extra }), ctx);
}

/** Every file under `dir`, recursively (links not followed). */
function listAll(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((e) => join(e.parentPath, e.name));
}

describe('a directory of the path flipped to a symbolic link while calls run', () => {
  it('300 calls: 0 escapes, 0 outside writes, 0 temporary files left, no internal errors', async () => {
    const outsideBefore = listAll(outside).sort();
    symlinkSync(join(outside, 'sub'), join(data, 'sub-link'));
    // Another process swaps data/sub (a real directory) and a link to outside/sub, back and forth, as fast as it can.
    const flipper = spawn(
      process.execPath,
      [
        '-e',
        `
      const fs = require('fs'); const [sub, hold, link] = process.argv.slice(1);
      for (;;) {
        try { fs.renameSync(sub, hold); fs.renameSync(link, sub); } catch {}
        try { fs.renameSync(sub, link); fs.renameSync(hold, sub); } catch {}
      }`,
        join(data, 'sub'),
        join(data, 'sub-real'),
        join(data, 'sub-link'),
      ],
      { stdio: 'ignore' },
    );
    const tally = { ok: 0, escapes: 0, refused: 0, missing: 0, other: [] as string[] };
    try {
      // the flipper is running once the real directory has been moved aside at least once
      for (const end = Date.now() + 20_000; !existsSync(join(data, 'sub-real')) && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 5));
      for (let round = 0; round < 30; round++) {
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            try {
              const { structured: s } = await run(join(data, 'sub/in.csv'));
              tally.ok++;
              if (s.summary.overall.valence?.mean !== 0.75 || s.rows.analysed !== 3) tally.escapes++;
            } catch (err) {
              if (!(err instanceof ToolError)) tally.other.push(String(err));
              else if (err.code === 'path_not_allowed') tally.refused++;
              else if (err.code === 'invalid_input' && /does not exist/.test(err.message)) tally.missing++;
              else tally.other.push(`${err.code}: ${err.message}`);
            }
          }),
        );
      }
    } finally {
      flipper.kill('SIGKILL');
      await new Promise((r) => flipper.once('exit', r));
    }
    console.log(
      `[swap race] ${JSON.stringify({ calls: 300, ...tally, other: tally.other.length })}`,
      tally.other.slice(0, 5),
    );
    expect(tally.ok + tally.refused + tally.missing + tally.other.length).toBe(300);
    expect(tally.escapes).toBe(0);
    expect(tally.other).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0); // the swap really happened during calls
    expect(listAll(outside).sort()).toEqual(outsideBefore); // nothing written outside
    expect(listAll(base).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('refusals that reveal nothing', () => {
  it('one message for every outside path, existing or not; no link target in any message', async () => {
    const messageFor = async (p: string) => ((await run(p).catch((e) => e)) as ToolError).message.replace(p, '<path>');
    const existing = await messageFor(join(outside, 'secret.csv'));
    expect(existing).toMatch(/outside every allowed directory/);
    expect(await messageFor(join(outside, 'no-such-file.csv'))).toBe(existing);
    expect(await messageFor('/etc/shadow')).toBe(existing);
    expect(await messageFor('/no/such/dir/file.csv')).toBe(existing);
    symlinkSync(join(outside, 'secret.csv'), join(data, 'leak.csv'));
    const link = (await run(join(data, 'leak.csv')).catch((e) => e)) as ToolError;
    expect(link.code).toBe('path_not_allowed');
    expect(link.message).toMatch(/leads through a symbolic link to a place outside every allowed directory/);
    expect(link.message).not.toContain(outside);
  });

  it('refuses a hard link (a file with more than one name), which may be an outside file', async () => {
    linkSync(join(outside, 'secret.csv'), join(data, 'hard.csv'));
    const e = (await run(join(data, 'hard.csv')).catch((err) => err)) as ToolError;
    expect(e.code).toBe('path_not_allowed');
    expect(e.message).toMatch(/is a file with 2 hard links/);
  });
});

describe('disk failures are io_error naming the file inside the allowed directory', () => {
  const rows = `text\n${Array.from({ length: 1500 }, (_, i) => `happy row number ${i}`).join('\n')}\n`;

  it('a full disk (64 KiB tmpfs): io_error, no temporary file left', async () => {
    const skip = requirement('a 64 KiB tmpfs (root and mount)', process.getuid?.() === 0 ? null : 'not root', 'root');
    if (skip) return void expect(skip).toBeTruthy();
    const disk = join(base, 'full');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
    writeFileSync(join(disk, 'in.csv'), rows); // ~33 kB in; the per-row JSONL out is several times larger
    try {
      const e = (await run(join(disk, 'in.csv'), [disk]).catch((err) => err)) as ToolError;
      expect(e).toBeInstanceOf(ToolError);
      expect(e.code).toBe('io_error');
      expect(e.message).toMatch(
        new RegExp(
          `^'${disk}/in\\.csv\\.(emotions\\.jsonl|report\\.html)' could not be (written|created): no space left on the device \\(ENOSPC\\)$`,
        ),
      );
      expect(readdirSync(disk).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      execFileSync('umount', [disk]);
    }
  });

  it('a directory it may not write to: io_error naming the file, no temporary file left', async () => {
    const dir = join(base, 'ro');
    mkdirSync(dir);
    writeFileSync(join(dir, 'in.csv'), 'text\nhappy\n');
    const root = process.getuid?.() === 0;
    // root ignores file modes: a read-only tmpfs gives it the same refusal from the kernel (EROFS)
    if (root) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      writeFileSync(join(dir, 'in.csv'), 'text\nhappy\n');
      execFileSync('mount', ['-o', 'remount,ro', dir]);
    } else chmodSync(dir, 0o555);
    try {
      const e = (await run(join(dir, 'in.csv'), [dir]).catch((err) => err)) as ToolError;
      expect(e.code).toBe('io_error');
      expect(e.message).toBe(
        `'${dir}/in.csv.emotions.jsonl' could not be created: ${root ? 'read-only file system (EROFS)' : 'permission denied (EACCES)'}`,
      );
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      if (root) execFileSync('umount', [dir]);
      else chmodSync(dir, 0o755);
    }
  });
});
