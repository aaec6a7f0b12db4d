/**
 * Just enough file-system and path helpers for discovery, without `node:`
 * built-ins on Deno (importing any of them costs ~15 ms of start-up).
 * On Node they load `node:fs/promises` on first use.
 */

// Deno's sync calls: discovery reads a handful of small files, and each async
// call would pay a thread-pool round trip (measurable at start-up).
interface DenoFs {
  cwd(): string;
  readTextFileSync(path: string): string;
  readDirSync(path: string): Iterable<{ name: string; isFile: boolean; isDirectory: boolean }>;
  statSync(path: string): { isFile: boolean; isDirectory: boolean };
  realPathSync(path: string): string;
}

const deno = (globalThis as { Deno?: DenoFs }).Deno;

type NodeFs = typeof import("node:fs/promises");
let nodeFs: NodeFs | undefined;
async function node(): Promise<NodeFs> {
  return nodeFs ??= await import("node:fs/promises");
}

/** A directory entry. */
export interface LightEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/** Read a UTF-8 file; undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return deno ? deno.readTextFileSync(path) : await (await node()).readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** List a folder; empty when it cannot be read. */
export async function listDir(path: string): Promise<LightEntry[]> {
  try {
    if (deno) {
      const out: LightEntry[] = [];
      for (const entry of deno.readDirSync(path)) out.push(entry);
      return out;
    }
    const entries = await (await node()).readdir(path, { withFileTypes: true });
    return entries.map((entry) => ({
      name: entry.name,
      isFile: entry.isFile(),
      isDirectory: entry.isDirectory(),
    }));
  } catch {
    return [];
  }
}

/** `"file"`, `"dir"`, or undefined when missing. */
export async function kind(path: string): Promise<"file" | "dir" | undefined> {
  try {
    if (deno) {
      const info = deno.statSync(path);
      return info.isDirectory ? "dir" : info.isFile ? "file" : undefined;
    }
    const info = await (await node()).stat(path);
    return info.isDirectory() ? "dir" : info.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

/** The real path, or undefined when missing. */
export async function realPath(path: string): Promise<string | undefined> {
  try {
    return deno ? deno.realPathSync(path) : await (await node()).realpath(path);
  } catch {
    return undefined;
  }
}

async function cwd(): Promise<string> {
  if (deno) return deno.cwd();
  return (await import("node:process")).default.cwd();
}

/** Normalize `/`-separated segments, resolving `.` and `..`. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out.at(-1) !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(part);
  }
  return (absolute ? "/" : "") + out.join("/") || (absolute ? "/" : ".");
}

/** Join path segments. */
export function joinPath(...parts: string[]): string {
  return normalizePath(parts.join("/"));
}

/** An absolute path. */
export async function absolutePath(path: string): Promise<string> {
  const clean = path.replace(/\\/g, "/");
  return /^(\/|[A-Za-z]:\/)/.test(clean) ? normalizePath(clean) : joinPath(await cwd(), clean);
}

/** True when `child` is `parent` or inside it (both absolute, normalized). */
export function isInsidePath(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}
