// Where analyze_corpus may read and write: only inside allowed directories (the client's MCP roots and the
// --data-dir setting). Refused, each with its own message: relative paths, any `..` segment, paths whose real
// location (symlinks resolved) is outside every allowed directory, anything that is not a regular file (FIFOs,
// devices, sockets, directories), and files over the byte limit. The file is opened without following links and
// re-checked on the open descriptor, so swapping the path between check and open is caught.
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { delimiter, isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AllowedDirectory } from '../../tools/corpus/io.js';
import { ToolError } from '../../core/errors.js';

export type { AllowedDirectory };

/** The message every refusal ends with: how to allow a directory. */
export const HOW_TO_ALLOW =
  `allow a directory with --data-dir DIR (repeatable; or RED_HEART_DATA_DIRS=DIR1${delimiter}DIR2), or let the client share it as an MCP root`;


/** Real paths of the configured and root directories; those that do not exist or are not directories are dropped and reported. */
export async function resolveAllowed(entries: ReadonlyArray<{ path: string; source: string }>): Promise<{ allowed: AllowedDirectory[]; unusable: string[] }> {
  const allowed: AllowedDirectory[] = [];
  const unusable: string[] = [];
  for (const e of entries) {
    try {
      const dir = await realpath(e.path);
      if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
      if (!allowed.some((a) => a.dir === dir)) allowed.push({ dir, source: e.source });
    } catch (err) {
      unusable.push(`${e.path} (${e.source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { allowed, unusable };
}

/** file:// root URIs as paths; other schemes are not directories this server can read. */
export function rootPaths(uris: ReadonlyArray<string>): string[] {
  const out: string[] = [];
  for (const u of uris) {
    if (!u.startsWith('file:')) continue;
    try {
      out.push(fileURLToPath(u));
    } catch {
      // a malformed file URI names no directory
    }
  }
  return out;
}

export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function refuse(message: string): never {
  throw new ToolError('path_not_allowed', message);
}

function describeAllowed(allowed: readonly AllowedDirectory[]): string {
  return allowed.length === 0 ? 'no directory is allowed yet' : `allowed: ${allowed.map((a) => `${a.dir} (${a.source})`).join(', ')}`;
}

/** Lexical checks shared by input and output paths. */
function checkLexical(path: string, what: string, allowed: readonly AllowedDirectory[]): void {
  if (allowed.length === 0) refuse(`${what} '${path}' cannot be read or written: no directory is allowed (the default); ${HOW_TO_ALLOW}`);
  if (path.includes('\0')) refuse(`${what} contains a NUL character`);
  if (!isAbsolute(path)) refuse(`${what} '${path}' must be an absolute path (${describeAllowed(allowed)})`);
  if (path.split(/[\\/]+/).includes('..')) refuse(`${what} '${path}' contains a '..' segment; give the path without '..'`);
}

/** Real path of `path`, refused unless inside an allowed directory (distinguishes a symlink escape from a plain outside path). */
async function realInside(path: string, what: string, allowed: readonly AllowedDirectory[]): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ToolError('invalid_input', `${what} '${path}' does not exist`);
    throw new ToolError('invalid_input', `${what} '${path}' cannot be resolved (${code ?? (err as Error).message})`);
  }
  if (allowed.some((a) => isInside(real, a.dir))) return real;
  const lexicallyInside = allowed.some((a) => isInside(path, a.dir));
  if (lexicallyInside) refuse(`${what} '${path}' leads through a symbolic link to '${real}', outside every allowed directory (${describeAllowed(allowed)})`);
  refuse(`${what} '${path}' is outside every allowed directory (${describeAllowed(allowed)}); ${HOW_TO_ALLOW}`);
}

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  if (s.isDirectory()) return 'a directory';
  if (s.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export interface OpenedInput {
  /** Real path of the file. */
  path: string;
  handle: FileHandle;
  size: number;
  mtimeMs: number;
}

/** Checks `path` and opens it for reading; the caller closes the handle. */
export async function openInput(path: string, allowed: readonly AllowedDirectory[], maxBytes: number): Promise<OpenedInput> {
  checkLexical(path, 'path', allowed);
  const real = await realInside(path, 'path', allowed);
  const before = await stat(real);
  if (!before.isFile()) refuse(`path '${path}' is ${kindOf(before)}; only regular files can be analysed`);
  if (before.size > maxBytes) throw new ToolError('limit_exceeded', `file '${path}' has ${before.size} bytes; the limit is ${maxBytes} bytes (split the file or give a smaller one)`);
  // O_NOFOLLOW: the real path has no links left, so a link appearing there now is a swap. O_NONBLOCK: opening a
  // FIFO swapped in must not hang.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    refuse(`path '${path}' could not be opened safely (${err.code ?? err.message})`);
  });
  const now = await handle.stat();
  if (!now.isFile() || now.ino !== before.ino || now.dev !== before.dev) {
    await handle.close();
    refuse(`path '${path}' changed while it was being checked; try again`);
  }
  if (now.size > maxBytes) {
    await handle.close();
    throw new ToolError('limit_exceeded', `file '${path}' has ${now.size} bytes; the limit is ${maxBytes} bytes`);
  }
  return { path: real, handle, size: now.size, mtimeMs: now.mtimeMs };
}

/** Checks an output directory: absolute, no '..', an existing directory inside an allowed directory. Returns its real path. */
export async function checkOutputDir(dir: string, allowed: readonly AllowedDirectory[]): Promise<string> {
  checkLexical(dir, 'output_dir', allowed);
  const real = await realInside(dir, 'output_dir', allowed);
  const s = await stat(real);
  if (!s.isDirectory()) refuse(`output_dir '${dir}' is ${kindOf(s)}, not a directory`);
  return real;
}

/** An existing output file may be replaced only when it is a regular file (never a link, FIFO or directory). */
export async function checkReplaceable(file: string): Promise<void> {
  try {
    const s = await lstat(file);
    if (!s.isFile()) refuse(`output file '${file}' exists and is ${kindOf(s)}; remove it or choose another output_dir`);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
