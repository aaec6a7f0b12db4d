import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { openWorkspaceFile } from "./_open_workspace_file.ts";
import { workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `writeFileTool` and `editFileTool`.
 *
 * @example Allow hard-linked files in a workspace you trust
 * ```ts ignore
 * const write = writeFileTool("./project", { allowHardLinks: true });
 * ```
 */
export interface FileToolOptions {
  /** Change files with more than one hard link (they may be files outside the workspace). @default false */
  readonly allowHardLinks?: boolean;
  /** Fail the call after this many milliseconds. @default 30000 */
  readonly timeoutMs?: number;
}

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
 * are created). Paths are confined to the workspace without a
 * check-then-use race: the file and its folders are created through
 * descriptors, so a folder swapped for a link cannot redirect the write.
 * Hard-linked and non-regular files are refused.
 *
 * @param root The workspace folder.
 * @param options Hard links, timeout.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const write = writeFileTool("./project");
 * ```
 */
export function writeFileTool(
  root: string,
  options: FileToolOptions = {},
): Tool<WriteFileArgs, WriteFileResult> {
  const { allowHardLinks = false, timeoutMs = 30_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "write_file",
    description:
      "Create or overwrite a file in the workspace with the given content. Prefer edit_file for small changes.",
    input: WriteInput,
    timeoutMs,
    execute: async ({ path, content }) => {
      const bytes = new TextEncoder().encode(content);
      const { handle } = await openWorkspaceFile(base, path, "write", { allowHardLinks });
      try {
        await handle.truncate(0);
        await handle.write(bytes, 0, bytes.length, 0);
      } finally {
        await handle.close();
      }
      return { path, lines: content === "" ? 0 : content.split("\n").length, bytes: bytes.length };
    },
  });
}
