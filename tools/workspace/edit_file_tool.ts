import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { openWorkspaceFile } from "./_open_workspace_file.ts";
import type { FileToolOptions } from "./write_file_tool.ts";
import { workspaceRoot } from "./workspace_path.ts";

/** Files larger than this are not edited in memory. */
const MAX_EDIT_BYTES = 10_000_000;

/**
 * What `edit_file` returns.
 *
 * @example Report where an `edit_file` step changed a file
 * ```ts ignore
 * import type { EditFileResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "edit_file" || step.result.error) continue;
 *   const { path, line, removed_lines, added_lines } = step.result.data as EditFileResult;
 *   console.log(`${path}:${line} -${removed_lines} +${added_lines}`);
 * }
 * ```
 */
export interface EditFileResult {
  /** The workspace-relative path. */
  readonly path: string;
  /** The 1-based line where the replacement starts. */
  readonly line: number;
  /** Lines removed and added. */
  readonly removed_lines: number;
  /** Lines added. */
  readonly added_lines: number;
}

/**
 * Arguments of `edit_file`.
 *
 * @example Arguments the model sends to `edit_file`
 * ```ts
 * import type { EditFileArgs } from "jsr:@looplet/looplet/workspace";
 * const args: EditFileArgs = {
 *   path: "src/math.ts",
 *   old_string: "return a - b;",
 *   new_string: "return a + b;",
 * };
 * ```
 */
export interface EditFileArgs {
  /** File path relative to the workspace. */
  readonly path: string;
  /** Exact text to replace (must match once). */
  readonly old_string: string;
  /** Replacement text. */
  readonly new_string: string;
}

const EditInput: z.ZodType<EditFileArgs> = z.object({
  path: z.string().describe("File path relative to the workspace"),
  old_string: z.string().min(1).describe(
    "Exact text to replace; must occur exactly once (include surrounding lines to make it unique)",
  ),
  new_string: z.string().describe("Replacement text"),
});

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length;
}

/**
 * The `edit_file` tool: replace one exact, unique occurrence of a string in a
 * workspace file. No match, several matches, or an edit that changes nothing
 * fail with a message that says how to fix the call. The file is read and
 * rewritten through one descriptor checked to be inside the workspace;
 * hard-linked files and files over 10 MB are refused.
 *
 * @param root The workspace folder.
 * @param options Hard links, timeout.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const edit = editFileTool("./project");
 * ```
 */
export function editFileTool(
  root: string,
  options: FileToolOptions = {},
): Tool<EditFileArgs, EditFileResult> {
  const { allowHardLinks = false, timeoutMs = 30_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "edit_file",
    description:
      "Replace one exact occurrence of old_string with new_string in a workspace file. old_string must match exactly once; read the file first.",
    input: EditInput,
    timeoutMs,
    execute: async ({ path, old_string, new_string }) => {
      if (old_string === new_string) {
        throw new Error("old_string and new_string are the same; the edit would change nothing");
      }
      const { handle, size } = await openWorkspaceFile(base, path, "update", { allowHardLinks })
        .catch((error: Error) => {
          throw /does not exist/.test(error.message)
            ? new Error(
              `File "${path}" does not exist; use glob to find it, or write_file to create it`,
            )
            : error;
        });
      let line: number;
      try {
        if (size > MAX_EDIT_BYTES) {
          throw new Error(
            `File "${path}" is ${size} bytes, over the ${MAX_EDIT_BYTES}-byte edit limit; change it with bash instead`,
          );
        }
        const text = new TextDecoder().decode(await handle.readFile());
        const first = text.indexOf(old_string);
        if (first < 0) {
          throw new Error(
            `old_string was not found in "${path}"; read the file again and copy the text exactly, including whitespace`,
          );
        }
        let count = 0;
        for (let at = first; at >= 0; at = text.indexOf(old_string, at + 1)) count++;
        if (count > 1) {
          throw new Error(
            `old_string matches ${count} places in "${path}"; include more surrounding lines so it matches exactly once`,
          );
        }
        const bytes = new TextEncoder().encode(
          text.slice(0, first) + new_string + text.slice(first + old_string.length),
        );
        await handle.truncate(0);
        await handle.write(bytes, 0, bytes.length, 0);
        line = text.slice(0, first).split("\n").length;
      } finally {
        await handle.close();
      }
      return {
        path,
        line,
        removed_lines: lineCount(old_string),
        added_lines: lineCount(new_string),
      };
    },
  });
}
