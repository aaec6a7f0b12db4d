import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { resolveWorkspacePath, workspaceRoot } from "./workspace_path.ts";

/**
 * What `write_file` returns.
 *
 * @example Log the files a run wrote
 * ```ts ignore
 * import type { WriteFileResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "write_file" || step.result.error) continue;
 *   const { path, lines, bytes } = step.result.data as WriteFileResult;
 *   console.log(`wrote ${path}: ${lines} lines, ${bytes} bytes`);
 * }
 * ```
 */
export interface WriteFileResult {
  /** The workspace-relative path. */
  readonly path: string;
  /** Lines written. */
  readonly lines: number;
  /** Bytes written. */
  readonly bytes: number;
}

/**
 * Arguments of `write_file`.
 *
 * @example Arguments the model sends to `write_file`
 * ```ts
 * import type { WriteFileArgs } from "jsr:@looplet/looplet/workspace";
 * const args: WriteFileArgs = { path: "notes/todo.md", content: "# TODO\n\n- add tests\n" };
 * ```
 */
export interface WriteFileArgs {
  /** File path relative to the workspace. */
  readonly path: string;
  /** The whole new content. */
  readonly content: string;
}

const WriteInput: z.ZodType<WriteFileArgs> = z.object({
  path: z.string().describe("File path relative to the workspace"),
  content: z.string().describe("The whole new content of the file"),
});

/**
 * The `write_file` tool: create or replace a workspace file (parent folders
 * are created). Paths are confined to the workspace.
 *
 * @param root The workspace folder.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const write = writeFileTool("./project");
 * ```
 */
export function writeFileTool(root: string): Tool<WriteFileArgs, WriteFileResult> {
  const base = workspaceRoot(root);
  return tool({
    name: "write_file",
    description:
      "Create or overwrite a file in the workspace with the given content. Prefer edit_file for small changes.",
    input: WriteInput,
    execute: async ({ path, content }) => {
      const file = await resolveWorkspacePath(base, path);
      await mkdir(dirname(file), { recursive: true });
      const bytes = new TextEncoder().encode(content);
      await writeFile(file, bytes);
      return { path, lines: content === "" ? 0 : content.split("\n").length, bytes: bytes.length };
    },
  });
}
