// Opening paths inside an allowed directory without a check-then-use window. A path is never handed to the kernel
// whole: its components are opened one at a time relative to an open handle of the directory above, each with
// O_NOFOLLOW (and O_DIRECTORY for directories), and each opened descriptor's device and inode are compared with
// what lstat saw under the same handle just before. Node has no openat(2); on Linux `/proc/self/fd/<fd>/<name>`
// is the same thing: the kernel resolves `/proc/self/fd/<fd>` to the directory the descriptor holds (not to a
// path that could have been swapped since), then looks up only `<name>` in it. So swapping any directory of the
// path for a symbolic link, before or during a call, cannot lead the walk outside: the swapped-in link is seen as
// a link. A symbolic link met on the way is followed only when its text, resolved lexically, stays inside an
// allowed directory; the walk then starts again from that directory's handle (at most 40 links, as the kernel).
// Without /proc (macOS, Windows) the same steps run on full paths: every step is still identity-checked, but a
// directory swapped and swapped back between two steps cannot be detected there (docs/analyze_corpus.md).
import { constants, existsSync, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { AllowedDirectory } from '../../tools/corpus/io.js';

/** True where `/proc/self/fd/<fd>/<name>` resolves relative to the descriptor (Linux). */
export const HANDLE_RELATIVE = process.platform === 'linux' && existsSync('/proc/self/fd');

const MAX_LINKS = 40;

/** Why a walk stopped; path-guard.ts turns these into the tool's messages. */
export class WalkError extends Error {
  constructor(
    readonly reason: 'outside' | 'link_outside' | 'missing' | 'not_directory' | 'changed' | 'too_many_links' | 'io',
    readonly code?: string,
  ) {
    super(reason);
  }
}

/** An open directory, its real path (built lexically from the allowed root) and the name to look up in it. */
export interface DirHandle {
  handle: FileHandle;
  path: string;
}

/** The name `name` inside the open directory `dir`, as a path the kernel resolves relative to the descriptor. */
export function at(dir: DirHandle, name: string): string {
  return HANDLE_RELATIVE ? `/proc/self/fd/${dir.handle.fd}/${name}` : join(dir.path, name);
}

export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The allowed directory `path` lies in (lexically; the configured spelling of a directory counts too) and the components below it. */
export function locate(
  path: string,
  allowed: readonly AllowedDirectory[],
): { root: AllowedDirectory; parts: string[] } | null {
  for (const root of allowed) {
    for (const base of [root.dir, root.given].filter((b): b is string => !!b)) {
      if (isInside(path, base))
        return {
          root,
          parts: path
            .slice(base.length)
            .split(/[\\/]+/)
            .filter(Boolean),
        };
    }
  }
  return null;
}

async function openDir(path: string, expect?: Stats): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  const now = await handle.stat();
  if (!now.isDirectory() || (expect && (now.dev !== expect.dev || now.ino !== expect.ino))) {
    await handle.close();
    throw new WalkError('changed');
  }
  return handle;
}

function walkError(err: unknown): never {
  if (err instanceof WalkError) throw err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') throw new WalkError('missing', code);
  if (code === 'ENOTDIR') throw new WalkError('not_directory', code);
  if (code === 'ELOOP') throw new WalkError('changed', code); // a link appeared where lstat saw none
  throw new WalkError('io', code ?? (err as Error).message);
}

/**
 * Walks to the directory that holds the last component of `path` and returns it open, with that name. Every
 * directory on the way is opened relative to its parent's handle; links are followed only inside allowed
 * directories. The caller closes `dir.handle`.
 */
export async function walkToParent(
  path: string,
  allowed: readonly AllowedDirectory[],
): Promise<{ dir: DirHandle; name: string }> {
  const start = locate(path, allowed);
  if (!start) throw new WalkError('outside');
  let parts = start.parts;
  let dir: DirHandle = { handle: await openDir(start.root.dir).catch(walkError), path: start.root.dir };
  let links = 0;
  try {
    for (;;) {
      if (parts.length === 0) throw new WalkError('not_directory'); // the path is an allowed directory itself
      if (parts.length === 1) return { dir, name: parts[0] };
      const [name, ...rest] = parts;
      const seen = await lstat(at(dir, name)).catch(walkError);
      if (seen.isSymbolicLink()) {
        if (++links > MAX_LINKS) throw new WalkError('too_many_links');
        const next = await followLink(dir, name, allowed);
        await dir.handle.close();
        dir = next.dir;
        parts = [...next.parts, ...rest];
        continue;
      }
      if (!seen.isDirectory()) throw new WalkError('not_directory');
      const handle = await openDir(at(dir, name), seen).catch(walkError);
      await dir.handle.close();
      dir = { handle, path: join(dir.path, name) };
      parts = rest;
    }
  } catch (err) {
    await dir.handle.close().catch(() => {});
    throw err;
  }
}

/**
 * The link `name` in `dir`: refused unless its target (resolved lexically) lies in an allowed directory; else that
 * directory, open, and the components below it.
 */
async function followLink(
  dir: DirHandle,
  name: string,
  allowed: readonly AllowedDirectory[],
): Promise<{ dir: DirHandle; parts: string[] }> {
  const text = await readlink(at(dir, name)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EINVAL') throw new WalkError('changed'); // no longer a link: replaced since lstat
    return walkError(err);
  });
  // `dir.path` is real (built from the allowed root's real path), so resolving '..' lexically here matches the kernel.
  const target = resolve(isAbsolute(text) ? text : join(dir.path, text));
  const inside = locate(target, allowed);
  if (!inside) throw new WalkError('link_outside');
  return {
    dir: { handle: await openDir(inside.root.dir).catch(walkError), path: inside.root.dir },
    parts: inside.parts,
  };
}

/**
 * Opens the entry `name` of `dir` with `flags` (O_NOFOLLOW added), following a link inside the allowed directories
 * by walking again. Checks the opened descriptor is what lstat saw. Returns the handle, its stats and real path.
 */
export async function openEntry(
  dir: DirHandle,
  name: string,
  flags: number,
  allowed: readonly AllowedDirectory[],
  links = 0,
): Promise<{ handle: FileHandle; stats: Stats; path: string }> {
  const seen = await lstat(at(dir, name)).catch(walkError);
  if (seen.isSymbolicLink()) {
    if (links >= MAX_LINKS) throw new WalkError('too_many_links');
    const next = await followLink(dir, name, allowed);
    let parent: { dir: DirHandle; name: string };
    try {
      parent = await walkToParent(join(next.dir.path, ...next.parts), allowed);
    } finally {
      await next.dir.handle.close();
    }
    try {
      return await openEntry(parent.dir, parent.name, flags, allowed, links + 1);
    } finally {
      await parent.dir.handle.close();
    }
  }
  const handle = await open(at(dir, name), flags | constants.O_NOFOLLOW).catch(walkError);
  const stats = await handle.stat();
  if (stats.dev !== seen.dev || stats.ino !== seen.ino) {
    await handle.close();
    throw new WalkError('changed');
  }
  return { handle, stats, path: join(dir.path, name) };
}
