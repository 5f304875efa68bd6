// Where analyze_corpus may read and write: only inside allowed directories (the client's MCP roots and the
// --data-dir setting). Refused: relative paths, any `..` segment, paths outside every allowed directory (decided on
// the text, so the answer never tells whether an outside file exists), links that lead out (the message never shows
// a link's target), anything that is not a regular file (FIFOs, devices, sockets, directories), files with more
// than one hard link (another name may be outside), and files over the byte limit. Paths are opened component by
// component through the allowed directory's handle (dir-walk.ts), so a directory swapped for a link mid-call cannot
// lead outside. File system failures inside the allowed directories (disk full, permission) are `io_error`.
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AllowedDirectory } from '../../tools/corpus/io.js';
import { ToolError } from '../../core/errors.js';
import { at, isInside, locate, openEntry, walkToParent, WalkError, type DirHandle } from './dir-walk.js';

export type { AllowedDirectory };
export { isInside };

/** The message every refusal ends with: how to allow a directory. */
export const HOW_TO_ALLOW =
  `allow a directory with --data-dir DIR (repeatable; or RED_HEART_DATA_DIRS=DIR1${delimiter}DIR2), or ` +
  `let the client share it as an MCP root`;

/** Real paths of the configured and root directories; those that do not exist or are not directories are dropped and reported. */
export async function resolveAllowed(
  entries: ReadonlyArray<{ path: string; source: string }>,
): Promise<{ allowed: AllowedDirectory[]; unusable: string[] }> {
  const allowed: AllowedDirectory[] = [];
  const unusable: string[] = [];
  for (const e of entries) {
    try {
      const dir = await realpath(e.path);
      if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
      const given = resolve(e.path);
      if (!allowed.some((a) => a.dir === dir))
        allowed.push({ dir, source: e.source, ...(given !== dir ? { given } : {}) });
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

function refuse(message: string): never {
  throw new ToolError('path_not_allowed', message);
}

function describeAllowed(allowed: readonly AllowedDirectory[]): string {
  return allowed.length === 0
    ? 'no directory is allowed yet'
    : `allowed: ${allowed.map((a) => `${a.dir} (${a.source})`).join(', ')}`;
}

/** Lexical checks shared by input and output paths. */

/** Lexical checks shared by input and output paths. */
function checkLexical(path: string, what: string, allowed: readonly AllowedDirectory[]): void {
  if (allowed.length === 0)
    refuse(`${what} '${path}' cannot be read or written: no directory is allowed (the default); ${HOW_TO_ALLOW}`);
  if (path.includes('\0')) refuse(`${what} contains a NUL character`);
  if (!isAbsolute(path)) refuse(`${what} '${path}' must be an absolute path (${describeAllowed(allowed)})`);
  if (path.split(/[\\/]+/).includes('..'))
    refuse(`${what} '${path}' contains a '..' segment; give the path without '..'`);
  // Decided on the text alone, before the file system is asked: the same answer whether the path exists or not.
  if (!locate(path, allowed)) refuse(outsideMessage(path, what, allowed));
}

const outsideMessage = (path: string, what: string, allowed: readonly AllowedDirectory[]) =>
  `${what} '${path}' is outside every allowed directory (${describeAllowed(allowed)}); ${HOW_TO_ALLOW}`;

/** A walk's refusal as the tool says it: never the target of a link, never whether something outside exists. */
function walkRefusal(err: unknown, path: string, what: string, allowed: readonly AllowedDirectory[]): never {
  if (!(err instanceof WalkError)) throw err;
  switch (err.reason) {
    case 'outside':
      return refuse(outsideMessage(path, what, allowed));
    case 'link_outside':
      return refuse(
        `${what} '${path}' leads through a symbolic link to a place outside every allowed directory (${describeAllowed(allowed)})`,
      );
    case 'too_many_links':
      return refuse(`${what} '${path}' passes through more than 40 symbolic links`);
    case 'changed':
      return refuse(
        `${what} '${path}' changed while it was being opened (a directory or file was replaced); try again`,
      );
    case 'missing':
    case 'not_directory':
      throw new ToolError('invalid_input', `${what} '${path}' does not exist`);
    default:
      throw ioError(err.code, path, 'opened');
  }
}

/** A file system failure inside an allowed directory (disk full, permission denied) as the tool's io_error. */
export function ioError(code: string | undefined, path: string, doing: string): ToolError {
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EIO: 'input/output error',
  };
  return new ToolError(
    'io_error',
    `'${path}' could not be ${doing}: ${why[code ?? ''] ?? 'file system error'} (${code ?? 'unknown'})`,
    { code: code ?? null },
  );
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

/** Checks `path` and opens it for reading through the allowed directory's handle; the caller closes the handle. */
export async function openInput(
  path: string,
  allowed: readonly AllowedDirectory[],
  maxBytes: number,
): Promise<OpenedInput> {
  checkLexical(path, 'path', allowed);
  let opened: { handle: FileHandle; stats: Stats; path: string };
  try {
    const { dir, name } = await walkToParent(path, allowed);
    try {
      // O_NONBLOCK: opening a FIFO must not hang (it is refused below).
      opened = await openEntry(dir, name, constants.O_RDONLY | constants.O_NONBLOCK, allowed);
    } finally {
      await dir.handle.close();
    }
  } catch (err) {
    walkRefusal(err, path, 'path', allowed);
  }
  const { handle, stats } = opened;
  const refuseOpen = async (
    message: string,
    code: 'path_not_allowed' | 'limit_exceeded' = 'path_not_allowed',
  ): Promise<never> => {
    await handle.close();
    throw new ToolError(code, message);
  };
  if (!stats.isFile()) await refuseOpen(`path '${path}' is ${kindOf(stats)}; only regular files can be analysed`);
  // Another name of the same file may be anywhere on the device, e.g. a hard link to a file outside.
  if (stats.nlink > 1)
    await refuseOpen(
      `path '${path}' is a file with ${stats.nlink} hard links; a hard link may lead to a file outside the ` +
        `allowed directories, so only files with one link are read (copy the file)`,
    );
  if (stats.size > maxBytes)
    await refuseOpen(
      `file '${path}' has ${stats.size} bytes; the limit is ${maxBytes} bytes (split the file or give a smaller one)`,
      'limit_exceeded',
    );
  return { path: opened.path, handle, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** Opens `dir` (an allowed directory or a directory below one) through the allowed directory's handle. */
export async function openDirectory(
  dir: string,
  what: string,
  allowed: readonly AllowedDirectory[],
): Promise<DirHandle> {
  checkLexical(dir, what, allowed);
  const root = allowed.find((a) => a.dir === dir || a.given === dir);
  try {
    if (root) return { handle: await open(root.dir, constants.O_RDONLY | constants.O_DIRECTORY), path: root.dir };
    const { dir: parent, name } = await walkToParent(dir, allowed);
    try {
      const opened = await openEntry(parent, name, constants.O_RDONLY | constants.O_DIRECTORY, allowed);
      return { handle: opened.handle, path: opened.path };
    } finally {
      await parent.handle.close();
    }
  } catch (err) {
    if ((err as WalkError).code === 'ENOTDIR') refuse(`${what} '${dir}' is not a directory`);
    walkRefusal(err, dir, what, allowed);
  }
}

/** Checks an output directory: absolute, no '..', an existing directory inside an allowed directory. Returns its real path. */
export async function checkOutputDir(dir: string, allowed: readonly AllowedDirectory[]): Promise<string> {
  const opened = await openDirectory(dir, 'output_dir', allowed);
  await opened.handle.close();
  return opened.path;
}

/** An existing output file may be replaced only when it is a regular file (never a link, FIFO or directory). */
export async function checkReplaceable(file: string, dir?: DirHandle, name?: string): Promise<void> {
  try {
    const s = await lstat(dir && name ? at(dir, name) : file);
    if (!s.isFile()) refuse(`output file '${file}' exists and is ${kindOf(s)}; remove it or choose another output_dir`);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw ioError((err as NodeJS.ErrnoException).code, file, 'checked');
  }
}
