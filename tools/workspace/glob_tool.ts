import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { matchPaths } from "./_regex_worker.ts";
import { globToRegExp, walkFiles } from "./_walk.ts";
import { workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `globTool`.
 *
 * @example Return at most 20 paths
 * ```ts ignore
 * const glob = globTool("./project", { maxResults: 20 });
 * ```
 */
export interface GlobToolOptions {
  /** Most paths returned. @default 100 */
  readonly maxResults?: number;
  /** Fail the call after this many milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Fail the call when matching the pattern takes longer than this (it runs in a worker). @default 10000 */
  readonly matchTimeoutMs?: number;
}

/**
 * What `glob` returns.
 *
 * @example List what a `glob` step found
 * ```ts ignore
 * import type { GlobResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "glob" || step.result.error) continue;
 *   const { files, total, truncated } = step.result.data as GlobResult;
 *   console.log(`${files.length} of ${total}${truncated ? " (cut)" : ""}`, files);
 * }
 * ```
 */
export interface GlobResult {
  /** Matching workspace-relative paths, sorted. */
  readonly files: readonly string[];
  /** How many matched in all. */
  readonly total: number;
  /** Set when `files` was cut to the cap. */
  readonly truncated?: true;
}

/**
 * Arguments of `glob`.
 *
 * @example Arguments the model sends to `glob`
 * ```ts
 * import type { GlobArgs } from "jsr:@looplet/looplet/workspace";
 * const args: GlobArgs = { pattern: "*_test.ts" };
 * ```
 */
export interface GlobArgs {
  /** The glob pattern. */
  readonly pattern: string;
}

const GlobInput: z.ZodType<GlobArgs> = z.object({
  pattern: z.string().min(1).describe(
    'Glob such as "**/*.ts" or "src/*_test.ts"; a pattern without "/" matches at any depth',
  ),
});

/**
 * The `glob` tool: list workspace files matching a pattern (`**`, `*`, `?`,
 * `{a,b}`), skipping `.git` and `node_modules`. The pattern is matched in a
 * worker with a deadline, so a wildcard-heavy glob fails the call instead of
 * blocking the loop.
 *
 * @param root The workspace folder.
 * @param options Result cap, timeouts.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const glob = globTool("./project");
 * ```
 */
export function globTool(
  root: string,
  options: GlobToolOptions = {},
): Tool<GlobArgs, GlobResult> {
  const { maxResults = 100, timeoutMs = 30_000, matchTimeoutMs = 10_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "glob",
    description:
      'Find files in the workspace by glob pattern, e.g. "**/*.ts". Returns relative paths.',
    input: GlobInput,
    concurrencySafe: true,
    timeoutMs,
    execute: async ({ pattern }, ctx) => {
      if (pattern.startsWith("/") || pattern.split("/").includes("..")) {
        throw new Error(
          `Pattern "${pattern}" leaves the workspace; use a relative pattern such as "**/*.ts"`,
        );
      }
      const matcher = globToRegExp(pattern.replace(/^\.\//, ""));
      const all: string[] = [];
      for await (const file of walkFiles(base, ctx.signal)) all.push(file);
      const files = (await matchPaths(matcher, all, pattern, matchTimeoutMs)).sort();
      return {
        files: files.slice(0, maxResults),
        total: files.length,
        ...(files.length > maxResults ? { truncated: true as const } : {}),
      };
    },
  });
}
