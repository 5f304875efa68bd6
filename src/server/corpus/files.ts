// The file system side of analyze_corpus (the CorpusFiles interface of src/tools/corpus/io.ts): allowed
// directories from --data-dir and the client's roots, checked input and output paths, chunked reading, and
// output files written to a temporary file (O_EXCL) and renamed into place.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CorpusFiles, CorpusInput, FileWriter, LineReader } from '../../tools/corpus/io.js';
import { checkOutputDir, checkReplaceable, openInput, resolveAllowed, rootPaths } from './path-guard.js';
import { readChunks, readLines } from './read.js';

export function createCorpusFiles(dataDirs: readonly string[]): CorpusFiles {
  return {
    allowedDirectories: (rootUris) =>
      resolveAllowed([...dataDirs.map((path) => ({ path, source: '--data-dir' })), ...rootPaths(rootUris).map((path) => ({ path, source: 'MCP root' }))]),

    async openInput(path, allowed, maxBytes): Promise<CorpusInput> {
      const f = await openInput(path, allowed, maxBytes);
      return { path: f.path, name: basename(f.path), size: f.size, chunks: () => readChunks(f.handle), close: () => f.handle.close() };
    },

    async outputFiles(input, outputDir, allowed) {
      const dir = outputDir === undefined ? dirname(input.path) : await checkOutputDir(outputDir, allowed);
      const files = { rows: join(dir, `${input.name}.emotions.jsonl`), report: join(dir, `${input.name}.report.html`) };
      await checkReplaceable(files.rows);
      await checkReplaceable(files.report);
      return files;
    },

    async readLines(path): Promise<LineReader | null> {
      try {
        if (!(await lstat(path)).isFile()) return null;
      } catch {
        return null;
      }
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
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
      const tmp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
      let handle: FileHandle | null = await open(tmp, 'wx', 0o644);
      const close = async () => {
        const h = handle;
        handle = null;
        await h?.close();
      };
      return {
        write: async (text) => {
          if (!handle) throw new Error(`${path}: the writer is closed`);
          await handle.write(text);
        },
        commit: async () => {
          await close();
          await rename(tmp, path);
        },
        discard: async () => {
          await close().catch(() => {});
          await unlink(tmp).catch(() => {});
        },
      };
    },

    uriOf: (path) => pathToFileURL(path).href,
  };
}
