import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { capText } from "../../internal/limits.ts";
import { resolveWorkspacePath, workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `readFileTool`.
 *
 * @example Keep less of long files
 * ```ts ignore
 * const read = readFileTool("./project", { maxChars: 6000 });
 * ```
 */
export interface ReadFileToolOptions {
  /** Most characters of numbered content returned (head and tail kept). @default 12000 */
  readonly maxChars?: number;
}

/**
 * What `read_file` returns.
 *
 * @example Show what a `read_file` step returned
 * ```ts ignore
 * import type { ReadFileResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "read_file" || step.result.error) continue;
 *   const { path, total_lines, content } = step.result.data as ReadFileResult;
 *   console.log(`${path} (${total_lines} lines)\n${content}`);
 * }
 * ```
 */
export interface ReadFileResult {
  /** The workspace-relative path. */
  readonly path: string;
  /** Lines as `   1 | text`. */
  readonly content: string;
  /** Lines in the whole file. */
  readonly total_lines: number;
  /** Set when the content was cut. */
  readonly truncated?: true;
}

/**
 * Arguments of `read_file`.
 *
 * @example Arguments the model sends to `read_file`
 * ```ts
 * import type { ReadFileArgs } from "jsr:@looplet/looplet/workspace";
 * const args: ReadFileArgs = { path: "src/math.ts", offset: 40, limit: 20 };
 * ```
 */
export interface ReadFileArgs {
  /** File path relative to the workspace. */
  readonly path: string;
  /** First line (1-based). */
  readonly offset?: number;
  /** Most lines. */
  readonly limit?: number;
}

const ReadInput: z.ZodType<ReadFileArgs> = z.object({
  path: z.string().describe("File path relative to the workspace"),
  offset: z.number().int().min(1).optional().describe("First line to read (1-based)"),
  limit: z.number().int().min(1).optional().describe("Most lines to read"),
});

/**
 * The `read_file` tool: read a workspace file with line numbers, optionally a
 * range of lines. Paths are confined to the workspace.
 *
 * @param root The workspace folder.
 * @param options Output cap.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const read = readFileTool("./project");
 * ```
 */
export function readFileTool(
  root: string,
  options: ReadFileToolOptions = {},
): Tool<ReadFileArgs, ReadFileResult> {
  const { maxChars = 12_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "read_file",
    description:
      "Read a text file in the workspace; lines come numbered. Use offset and limit for long files.",
    input: ReadInput,
    concurrencySafe: true,
    execute: async ({ path, offset = 1, limit }) => {
      const file = await resolveWorkspacePath(base, path);
      const info = await stat(file).catch(() => undefined);
      if (info === undefined) {
        throw new Error(`File "${path}" does not exist; use glob to find the right path`);
      }
      if (info.isDirectory()) {
        throw new Error(`"${path}" is a folder; use glob with "${path}/**" to list its files`);
      }
      const bytes = await readFile(file);
      if (bytes.subarray(0, 8000).includes(0)) {
        throw new Error(
          `File "${path}" is binary (${bytes.length} bytes); only text files can be read`,
        );
      }
      const lines = new TextDecoder().decode(bytes).split("\n");
      if (lines.at(-1) === "") lines.pop();
      const end = limit === undefined ? lines.length : Math.min(lines.length, offset - 1 + limit);
      const numbered = lines.slice(offset - 1, end)
        .map((line, index) => `${String(offset + index).padStart(4)} | ${line}`)
        .join("\n");
      const capped = capText(numbered, maxChars);
      return {
        path,
        content: capped.text,
        total_lines: lines.length,
        ...(capped.truncated ? { truncated: true as const } : {}),
      };
    },
  });
}
