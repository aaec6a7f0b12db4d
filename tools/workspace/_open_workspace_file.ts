import { constants, existsSync } from "node:fs";
import { type FileHandle, mkdir, open, readlink, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { isInsideWorkspace, resolveWorkspacePath, WorkspacePathError } from "./workspace_path.ts";

/** How a file is opened: read, read and rewrite in place, or create/replace. */
export type FileAccess = "read" | "update" | "write";

/** Options of {@linkcode openWorkspaceFile}. */
export interface OpenWorkspaceFileOptions {
  /** Open files with more than one hard link. @default false */
  readonly allowHardLinks?: boolean;
}

/** An open workspace file and what `fstat` said about it. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly size: number;
  /** The opened file's real path (inside the workspace). */
  readonly real: string;
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
// Linux names every open descriptor under /proc/self/fd: the kernel's own record of what was opened.
const PROC_FD = procFd();

// Deno grants /proc/self only with --allow-all: without it, loading this module must not throw.
function procFd(): boolean {
  try {
    return existsSync("/proc/self/fd");
  } catch {
    return false;
  }
}

function fdPath(handle: FileHandle): string {
  return `/proc/self/fd/${handle.fd}`;
}

function outside(path: string): WorkspacePathError {
  return new WorkspacePathError(
    `Path "${path}" leads outside the workspace (a folder or link in it changed); only files inside the workspace are allowed`,
    path,
  );
}

/** Where an open descriptor really points: the kernel's answer, else the inode at the resolved path. */
async function openedPath(handle: FileHandle, target: string): Promise<string | undefined> {
  if (PROC_FD) return await readlink(fdPath(handle)).catch(() => undefined);
  const [opened, real] = await Promise.all([handle.stat(), realpath(target).catch(() => "")]);
  const now = real === "" ? undefined : await stat(real).catch(() => undefined);
  return now && now.ino === opened.ino && now.dev === opened.dev ? real : undefined;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** Open the workspace-relative folder `rel`, one component at a time, never following a link. */
async function openFolder(root: string, rel: string, path: string): Promise<FileHandle> {
  let folder = await open(root, constants.O_RDONLY | DIRECTORY);
  for (const part of rel === "" ? [] : rel.split(sep)) {
    const at = `${fdPath(folder)}/${part}`;
    let next: FileHandle;
    try {
      next = await open(at, constants.O_RDONLY | DIRECTORY | NOFOLLOW).catch(async (error) => {
        if (errorCode(error) !== "ENOENT") throw error;
        await mkdir(at).catch((made) => {
          if (errorCode(made) !== "EEXIST") throw made;
        });
        return await open(at, constants.O_RDONLY | DIRECTORY | NOFOLLOW);
      });
    } catch (error) {
      await folder.close();
      const code = errorCode(error);
      if (code === "ELOOP" || code === "ENOTDIR") throw outside(path);
      throw error;
    }
    await folder.close();
    folder = next;
  }
  return folder;
}

async function checkOpened(
  opened: FileHandle,
  target: string,
  root: string,
  path: string,
  options: OpenWorkspaceFileOptions,
): Promise<OpenedFile> {
  const info = await opened.stat();
  if (info.isDirectory()) {
    throw new Error(`"${path}" is a folder; use glob with "${path}/**" to list its files`);
  }
  if (!info.isFile()) {
    throw new Error(
      `"${path}" is not a regular file (a FIFO, socket or device); only regular files can be used`,
    );
  }
  const real = await openedPath(opened, target);
  if (real === undefined || !isInsideWorkspace(root, real)) throw outside(path);
  if (info.nlink > 1 && !options.allowHardLinks) {
    throw new Error(
      `File "${path}" has ${info.nlink} hard links, so its content may belong to a file outside the workspace; refused (the workspace owner can allow hard links with 'allowHardLinks')`,
    );
  }
  return { handle: opened, size: info.size, real };
}

/**
 * Open a file the model named, confined to the workspace without a race:
 * the path is checked, opened, and the opened descriptor's real path is
 * checked again (a folder swapped for a link in between is caught). Writes
 * create the file through descriptors of its folders, so nothing is ever
 * created outside. Non-regular files and hard-linked files are refused.
 */
export async function openWorkspaceFile(
  root: string,
  path: string,
  access: FileAccess,
  options: OpenWorkspaceFileOptions = {},
): Promise<OpenedFile> {
  const target = await resolveWorkspacePath(root, path);
  let handle: FileHandle;
  try {
    if (access === "write" && PROC_FD) {
      const folder = await openFolder(root, relative(root, dirname(target)), path);
      try {
        handle = await open(
          `${fdPath(folder)}/${basename(target)}`,
          constants.O_WRONLY | constants.O_CREAT | NOFOLLOW | NONBLOCK,
          0o666,
        );
      } finally {
        await folder.close();
      }
    } else {
      if (access === "write") await mkdir(dirname(target), { recursive: true });
      const flags = access === "read"
        ? constants.O_RDONLY
        : access === "update"
        ? constants.O_RDWR
        : constants.O_WRONLY | constants.O_CREAT;
      handle = await open(target, flags | NONBLOCK, 0o666);
    }
  } catch (error) {
    if (error instanceof WorkspacePathError) throw error;
    const code = errorCode(error);
    if (code === "ENOENT") {
      throw new Error(`File "${path}" does not exist; use glob to find the right path`);
    }
    if (code === "ELOOP") throw outside(path);
    if (code === "EISDIR") {
      throw new Error(`"${path}" is a folder; use glob with "${path}/**" to list its files`);
    }
    if (code === "ENXIO") {
      throw new Error(
        `"${path}" is not a regular file (a FIFO, socket or device); only regular files can be used`,
      );
    }
    throw new Error(`Cannot open "${path}": ${(error as Error).message}`);
  }
  try {
    return await checkOpened(handle, target, root, path, options);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Open a workspace folder for listing; `undefined` when it is not the real folder `join(root, rel)`. */
export async function openWorkspaceFolder(
  root: string,
  rel: string,
): Promise<FileHandle | undefined> {
  const expected = rel === "" ? root : join(root, rel);
  const handle = await open(expected, constants.O_RDONLY | DIRECTORY).catch(() => undefined);
  if (handle === undefined) return undefined;
  const real = PROC_FD ? await readlink(fdPath(handle)).catch(() => "") : await realpath(expected);
  if (real === expected) return handle;
  await handle.close();
  return undefined;
}

/** A path that reads the open folder itself (its descriptor on Linux). */
export function folderPath(handle: FileHandle, fallback: string): string {
  return PROC_FD ? fdPath(handle) : fallback;
}
