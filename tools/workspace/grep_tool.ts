import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { openWorkspaceFile } from "./_open_workspace_file.ts";
import { matchPaths, RegexWorker } from "./_regex_worker.ts";
import { globToRegExp, walkFiles } from "./_walk.ts";
import { workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `grepTool`.
 *
 * @example Fewer matches, smaller files
 * ```ts ignore
 * const grep = grepTool("./project", { maxMatches: 20, maxFileBytes: 200_000 });
 * ```
 */
export interface GrepToolOptions {
  /** Most matching lines returned. @default 50 */
  readonly maxMatches?: number;
  /** Files larger than this are skipped. @default 1000000 */
  readonly maxFileBytes?: number;
  /** Stop the search (a failed call) after this many milliseconds, however slow the pattern. @default 10000 */
  readonly timeoutMs?: number;
  /** Search files with more than one hard link (they may be files outside the workspace). @default false */
  readonly allowHardLinks?: boolean;
}

/**
 * One matching line.
 *
 * @example Print matches as `path:line: text`
 * ```ts ignore
 * for (const { path, line, text } of (step.result.data as GrepResult).matches) {
 *   console.log(`${path}:${line}: ${text}`);
 * }
 * ```
 */
export interface GrepMatch {
  /** Workspace-relative path. */
  readonly path: string;
  /** 1-based line number. */
  readonly line: number;
  /** The line (cut to 200 characters). */
  readonly text: string;
}

/**
 * What `grep` returns.
 *
 * @example Count what a `grep` step found
 * ```ts ignore
 * import type { GrepResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "grep" || step.result.error) continue;
 *   const { matches, total, truncated } = step.result.data as GrepResult;
 *   console.log(`${matches.length} of ${total} matches${truncated ? " (cut)" : ""}`);
 * }
 * ```
 */
export interface GrepResult {
  /** Matches, in path then line order. */
  readonly matches: readonly GrepMatch[];
  /** Matches found in all. */
  readonly total: number;
  /** Set when `matches` was cut to the cap. */
  readonly truncated?: true;
}

/**
 * Arguments of `grep`.
 *
 * @example Arguments the model sends to `grep`
 * ```ts
 * import type { GrepArgs } from "jsr:@looplet/looplet/workspace";
 * const args: GrepArgs = { pattern: "TODO|FIXME", glob: "*.ts", ignore_case: true };
 * ```
 */
export interface GrepArgs {
  /** Regular expression. */
  readonly pattern: string;
  /** Only files matching this glob. */
  readonly glob?: string;
  /** Match case-insensitively. */
  readonly ignore_case?: boolean;
}

const GrepInput: z.ZodType<GrepArgs> = z.object({
  pattern: z.string().min(1).describe("JavaScript regular expression to search for"),
  glob: z.string().optional().describe('Only search files matching this glob, e.g. "**/*.ts"'),
  ignore_case: z.boolean().optional().describe("Match case-insensitively"),
});

/**
 * The `grep` tool: search workspace text files for a regular expression,
 * without a shell. Binary, hard-linked and non-regular files and
 * `.git`/`node_modules` are skipped. The model's pattern runs in a worker
 * with a deadline: a catastrophic pattern such as `^(a+)+$` fails the call
 * after `timeoutMs` and never blocks the loop.
 *
 * @param root The workspace folder.
 * @param options Caps, deadline, hard links.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const grep = grepTool("./project");
 * ```
 */
export function grepTool(
  root: string,
  options: GrepToolOptions = {},
): Tool<GrepArgs, GrepResult> {
  const {
    maxMatches = 50,
    maxFileBytes = 1_000_000,
    timeoutMs = 10_000,
    allowHardLinks = false,
  } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "grep",
    description:
      "Search the workspace's text files for a regular expression; returns path, line number and text of each match.",
    input: GrepInput,
    concurrencySafe: true,
    // The worker enforces `timeoutMs`; this outer limit only covers slow disks.
    timeoutMs: timeoutMs + 30_000,
    execute: async ({ pattern, glob, ignore_case }, ctx) => {
      const flags = ignore_case ? "i" : "";
      try {
        new RegExp(pattern, flags);
      } catch (error) {
        throw new Error(
          `Pattern "${pattern}" is not a valid regular expression (${
            (error as Error).message
          }); escape special characters`,
        );
      }
      const matches: GrepMatch[] = [];
      let total = 0;
      const worker = new RegexWorker(pattern, flags, timeoutMs);
      try {
        for (const file of await filesToSearch(base, glob, timeoutMs, ctx.signal)) {
          ctx.signal.throwIfAborted();
          const text = await readText(base, file, maxFileBytes, allowHardLinks);
          if (text === undefined) continue;
          const found = await worker.search(text, maxMatches - matches.length);
          total += found.total;
          for (const [line, lineText] of found.found) {
            matches.push({ path: file, line, text: lineText });
          }
        }
      } catch (error) {
        if (!worker.timedOut) throw error;
        throw new Error(
          `grep stopped after ${timeoutMs} ms: the pattern "${pattern}" is too slow (nested quantifiers such as (a+)+ backtrack exponentially); use a simpler pattern or narrow it with glob`,
        );
      } finally {
        await worker.close();
      }
      return { matches, total, ...(total > maxMatches ? { truncated: true as const } : {}) };
    },
  });
}

/** The workspace files to search: all of them, or those the glob matches (matched with a deadline). */
async function filesToSearch(
  root: string,
  glob: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string[]> {
  const files: string[] = [];
  for await (const file of walkFiles(root, signal)) files.push(file);
  if (glob === undefined || glob === "") return files;
  return await matchPaths(globToRegExp(glob.replace(/^\.\//, "")), files, glob, timeoutMs);
}

/** A file's text, or `undefined` when it is skipped (too big, binary, linked, not regular). */
async function readText(
  root: string,
  file: string,
  maxFileBytes: number,
  allowHardLinks: boolean,
): Promise<string | undefined> {
  const opened = await openWorkspaceFile(root, file, "read", { allowHardLinks })
    .catch(() => undefined);
  if (opened === undefined) return undefined;
  try {
    if (opened.size > maxFileBytes) return undefined;
    const bytes = await opened.handle.readFile();
    if (bytes.length > maxFileBytes || bytes.subarray(0, 8000).includes(0)) return undefined;
    return new TextDecoder().decode(bytes);
  } finally {
    await opened.handle.close();
  }
}
