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
 * Turn a glob (`**`, `*`, `?`, `{a,b}`) into a RegExp over `/`-separated
 * relative paths. A pattern without `/` matches the file name at any depth.
 */
export function globToRegExp(pattern: string): RegExp {
  const anyDepth = !pattern.includes("/");
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
    else if (char === "{") {
      const close = pattern.indexOf("}", i);
      if (close < 0) source += "\\{";
      else {
        const options = pattern.slice(i + 1, close).split(",").map(escape);
        source += `(?:${options.join("|")})`;
        i = close;
      }
    } else source += escape(char);
  }
  return new RegExp(`^${anyDepth ? "(?:.*/)?" : ""}${source}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}
