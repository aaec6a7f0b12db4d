import { realpathSync } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/**
 * A path the model gave is outside the workspace (absolute, with `..`, or
 * through a symlink that leaves it). The message says what to give instead.
 *
 * @example
 * ```ts ignore
 * try { await resolveWorkspacePath(root, "../etc/passwd"); }
 * catch (error) { if (error instanceof WorkspacePathError) console.log(error.message); }
 * ```
 */
export class WorkspacePathError extends Error {
  /** The path as given. */
  readonly path: string;

  /**
   * Create the error.
   *
   * @param message What is wrong and what to give instead.
   * @param path The path as given.
   */
  constructor(message: string, path: string) {
    super(message);
    this.name = "WorkspacePathError";
    this.path = path;
  }
}

/**
 * The real (symlink-free) absolute path of a workspace root.
 *
 * @param root The workspace folder.
 * @returns Its real path.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const root = workspaceRoot("./my-project");
 * ```
 */
export function workspaceRoot(root: string): string {
  if (typeof root !== "string" || root === "") {
    throw new TypeError("Cannot use workspace: 'root' must be a folder path");
  }
  try {
    return realpathSync(resolve(root));
  } catch {
    throw new TypeError(
      `Cannot use workspace "${root}": the folder does not exist; create it or pass another folder`,
    );
  }
}

/**
 * Whether an absolute path is the workspace root or inside it. Names that
 * merely start with dots (`..data`, `...txt`) are inside.
 *
 * @param root The workspace's real path.
 * @param path An absolute path.
 * @returns True when inside.
 * @example
 * ```ts ignore
 * isInsideWorkspace("/w", "/w/..data"); // true
 * isInsideWorkspace("/w", "/w2/a"); // false
 * ```
 */
export function isInsideWorkspace(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolve a path the model gave against the workspace, refusing absolute
 * paths, any `..` segment, and symlinks whose target leaves the workspace.
 * The path need not exist (for writes); its nearest existing ancestor is checked.
 *
 * @param root The workspace's real path (from `workspaceRoot`).
 * @param path The path as the model wrote it, relative to the workspace.
 * @returns The absolute path inside the workspace.
 * @throws {WorkspacePathError} When the path is outside the workspace.
 * @example
 * ```ts ignore
 * const file = await resolveWorkspacePath(workspaceRoot("."), "src/main.ts");
 * ```
 */
export async function resolveWorkspacePath(root: string, path: string): Promise<string> {
  if (typeof path !== "string" || path.trim() === "") {
    throw new WorkspacePathError(
      'Path is empty; give a path relative to the workspace, for example "src/main.ts"',
      String(path),
    );
  }
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith("~")) {
    throw new WorkspacePathError(
      `Path "${path}" is absolute; give a path relative to the workspace, for example "src/main.ts"`,
      path,
    );
  }
  if (path.split(/[\\/]/).includes("..")) {
    throw new WorkspacePathError(
      `Path "${path}" contains ".."; only paths inside the workspace are allowed`,
      path,
    );
  }
  const target = resolve(root, path);
  if (!isInsideWorkspace(root, target)) {
    throw new WorkspacePathError(`Path "${path}" is outside the workspace`, path);
  }
  // Walk up to the nearest existing ancestor and check where it really points.
  let probe = target;
  while (true) {
    try {
      await lstat(probe);
      break;
    } catch {
      const parent = dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  let real: string;
  try {
    real = await realpath(probe);
  } catch {
    // A dangling symlink: refuse, its target is unknown.
    throw new WorkspacePathError(
      `Path "${path}" goes through a broken symlink; give a path to a real file in the workspace`,
      path,
    );
  }
  if (!isInsideWorkspace(root, real)) {
    throw new WorkspacePathError(
      `Path "${path}" leads outside the workspace through a symlink; only files inside the workspace are allowed`,
      path,
    );
  }
  return probe === target ? real : resolve(real, relative(probe, target));
}

/**
 * A path relative to the workspace, with `/` separators, for results.
 *
 * @param root The workspace's real path.
 * @param absolute An absolute path inside it.
 * @returns The relative path.
 * @example
 * ```ts ignore
 * toWorkspaceRelative("/w", "/w/src/a.ts"); // "src/a.ts"
 * ```
 */
export function toWorkspaceRelative(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join("/");
}
