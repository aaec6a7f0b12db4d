import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
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
 * without a shell. Binary files and `.git`/`node_modules` are skipped.
 *
 * @param root The workspace folder.
 * @param options Caps.
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
  const { maxMatches = 50, maxFileBytes = 1_000_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "grep",
    description:
      "Search the workspace's text files for a regular expression; returns path, line number and text of each match.",
    input: GrepInput,
    concurrencySafe: true,
    execute: async ({ pattern, glob, ignore_case }, ctx) => {
      let regex: RegExp;
      try {
        regex = new RegExp(pattern, ignore_case ? "i" : "");
      } catch (error) {
        throw new Error(
          `Pattern "${pattern}" is not a valid regular expression (${
            (error as Error).message
          }); escape special characters`,
        );
      }
      const only = glob ? globToRegExp(glob.replace(/^\.\//, "")) : undefined;
      const matches: GrepMatch[] = [];
      let total = 0;
      for await (const file of walkFiles(base, ctx.signal)) {
        if (only && !only.test(file)) continue;
        const bytes = await readFile(join(base, file)).catch(() => undefined);
        if (!bytes || bytes.length > maxFileBytes || bytes.subarray(0, 8000).includes(0)) continue;
        const lines = new TextDecoder().decode(bytes).split("\n");
        lines.forEach((text, index) => {
          if (!regex.test(text)) return;
          total++;
          if (matches.length < maxMatches) {
            matches.push({ path: file, line: index + 1, text: text.slice(0, 200) });
          }
        });
      }
      return { matches, total, ...(total > maxMatches ? { truncated: true as const } : {}) };
    },
  });
}
