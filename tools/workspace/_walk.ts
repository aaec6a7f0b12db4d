import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { folderPath, openWorkspaceFolder } from "./_open_workspace_file.ts";

/** Folders never walked: tool caches and VCS data. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  "node_modules",
  ".looplet",
  ".deno",
  "__pycache__",
  ".venv",
]);

/**
 * Yield the workspace-relative paths (with `/`) of files under `root`, sorted
 * per folder. Links are not followed, and each folder is listed through a
 * descriptor checked to be that folder, so one swapped for a link is skipped.
 */
export async function* walkFiles(root: string, signal?: AbortSignal): AsyncGenerator<string> {
  const pending: string[] = [""];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const dir = pending.shift()!;
    const handle = await openWorkspaceFolder(root, dir);
    if (handle === undefined) continue;
    let entries;
    try {
      entries = await readdir(folderPath(handle, join(root, dir)), { withFileTypes: true });
    } catch {
      continue;
    } finally {
      await handle.close();
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) pending.push(rel);
      } else if (entry.isFile()) {
        yield rel;
      }
    }
  }
}

/**
 * Turn a glob (`**`, `*`, `?`, `[ab]`, `[!ab]`, `{a,b}` with globs inside the
 * braces) into a RegExp over `/`-separated relative paths. A pattern without
 * `/` matches the file name at any depth. (Not `node:path` `matchesGlob`:
 * under Deno it reads an environment variable, so it fails without
 * `--allow-env`.)
 */
export function globToRegExp(pattern: string): RegExp {
  const anyDepth = !pattern.includes("/");
  return new RegExp(`^${anyDepth ? "(?:.*/)?" : ""}${globSource(pattern)}$`);
}

function globSource(pattern: string): string {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        source += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else source += "[^/]*";
    } else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const negated = pattern[i + 1] === "!" || pattern[i + 1] === "^";
      const start = i + (negated ? 2 : 1);
      const close = pattern.indexOf("]", start + 1);
      if (close < 0) source += "\\[";
      else {
        const members = pattern.slice(start, close).replace(/[\\\]^]/g, "\\$&");
        source += negated ? `[^/${members}]` : `[${members}]`;
        i = close;
      }
    } else if (char === "{") {
      const close = closingBrace(pattern, i);
      if (close < 0) source += "\\{";
      else {
        const options = splitOptions(pattern.slice(i + 1, close)).map(globSource);
        source += `(?:${options.join("|")})`;
        i = close;
      }
    } else source += escape(char);
  }
  return source;
}

function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === "{") depth++;
    else if (pattern[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function splitOptions(body: string): string[] {
  const options: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    else if (body[i] === "}") depth--;
    else if (body[i] === "," && depth === 0) {
      options.push(body.slice(start, i));
      start = i + 1;
    }
  }
  options.push(body.slice(start));
  return options;
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}
