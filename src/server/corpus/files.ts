// The file system side of analyze_corpus (the CorpusFiles interface of src/tools/corpus/io.ts): allowed
// directories from --data-dir and the client's roots, checked input and output paths, chunked reading, and
// output files written through the output directory's open handle: a uniquely named temporary file (O_EXCL,
// O_NOFOLLOW) renamed into place, removed on every error. Disk full or permission errors are io_error naming the
// file inside the allowed directory.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AllowedDirectory, CorpusFiles, CorpusInput, FileWriter, LineReader } from '../../tools/corpus/io.js';
import { at, openEntry, type DirHandle } from './dir-walk.js';
import { checkReplaceable, ioError, openDirectory, openInput, resolveAllowed, rootPaths } from './path-guard.js';
import { readChunks, readLines } from './read.js';

export function createCorpusFiles(dataDirs: readonly string[]): CorpusFiles {
  /** The allowed directories an output path was checked against, for opening it again through handles. */
  const outputs = new Map<string, readonly AllowedDirectory[]>();
  const allowedFor = (path: string): readonly AllowedDirectory[] => {
    const allowed = outputs.get(path);
    if (!allowed) throw new Error(`${path} is not an output path checked by outputFiles()`);
    return allowed;
  };

  return {
    allowedDirectories: (rootUris) =>
      resolveAllowed([
        ...dataDirs.map((path) => ({ path, source: '--data-dir' })),
        ...rootPaths(rootUris).map((path) => ({ path, source: 'MCP root' })),
      ]),

    async openInput(path, allowed, maxBytes): Promise<CorpusInput> {
      const f = await openInput(path, allowed, maxBytes);
      return {
        path: f.path,
        name: basename(f.path),
        size: f.size,
        chunks: () => readChunks(f.handle),
        close: () => f.handle.close(),
      };
    },

    async outputFiles(input, outputDir, allowed) {
      const dir = await openDirectory(outputDir ?? dirname(input.path), 'output_dir', allowed);
      try {
        const names = { rows: `${input.name}.emotions.jsonl`, report: `${input.name}.report.html` };
        const files = { rows: join(dir.path, names.rows), report: join(dir.path, names.report) };
        await checkReplaceable(files.rows, dir, names.rows);
        await checkReplaceable(files.report, dir, names.report);
        outputs.set(files.rows, allowed);
        outputs.set(files.report, allowed);
        return files;
      } finally {
        await dir.handle.close();
      }
    },

    async readLines(path): Promise<LineReader | null> {
      let dir: DirHandle;
      try {
        dir = await openDirectory(dirname(path), 'output_dir', allowedFor(path));
      } catch {
        return null;
      }
      let handle: FileHandle;
      try {
        const opened = await openEntry(
          dir,
          basename(path),
          constants.O_RDONLY | constants.O_NONBLOCK,
          allowedFor(path),
        );
        handle = opened.handle;
        if (!opened.stats.isFile()) {
          await handle.close();
          return null;
        }
      } catch {
        return null; // none there (or not openable safely): written afresh
      } finally {
        await dir.handle.close();
      }
      const lines = readLines(handle);
      return {
        next: async () => {
          const n = await lines.next();
          return n.done ? null : n.value;
        },
        close: () => handle.close(),
      };
    },

    async createWriter(path): Promise<FileWriter> {
      return createWriter(path, await openDirectory(dirname(path), 'output_dir', allowedFor(path)));
    },

    uriOf: (path) => pathToFileURL(path).href,
  };
}

/** A writer for `path` inside the open directory `dir` (which it closes when done). */
async function createWriter(path: string, dir: DirHandle): Promise<FileWriter> {
  const name = basename(path);
  const tmp = `.${name}.${randomUUID().slice(0, 12)}.tmp`;
  let handle: FileHandle | null;
  try {
    handle = await open(
      at(dir, tmp),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
  } catch (err) {
    await dir.handle.close();
    throw ioError((err as NodeJS.ErrnoException).code, path, 'created');
  }
  let state: 'open' | 'committed' | 'discarded' = 'open';
  const cleanUp = async () => {
    const h = handle;
    handle = null;
    await h?.close().catch(() => {});
    await unlink(at(dir, tmp)).catch(() => {});
    await dir.handle.close().catch(() => {});
  };
  const fail = async (err: unknown, doing: string): Promise<never> => {
    state = 'discarded';
    await cleanUp();
    if ((err as { code?: unknown }).code === 'path_not_allowed') throw err; // checkReplaceable's refusal
    throw ioError((err as NodeJS.ErrnoException).code, path, doing);
  };
  return {
    write: async (text) => {
      if (state !== 'open' || !handle) throw new Error(`${path}: the writer is closed`);
      try {
        await handle.write(text);
      } catch (err) {
        await fail(err, 'written');
      }
    },
    commit: async () => {
      if (state !== 'open' || !handle) throw new Error(`${path}: the writer is closed`);
      try {
        const h = handle;
        handle = null;
        await h.close();
        await checkReplaceable(path, dir, name);
        await rename(at(dir, tmp), at(dir, name));
      } catch (err) {
        await fail(err, 'written');
      }
      state = 'committed';
      await dir.handle.close().catch(() => {});
    },
    discard: async () => {
      if (state !== 'open') return;
      state = 'discarded';
      await cleanUp();
    },
  };
}
