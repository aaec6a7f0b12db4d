import type { AnyTool } from "../../loop/types.ts";
import { bashTool, type BashToolOptions } from "./bash_tool.ts";
import { editFileTool } from "./edit_file_tool.ts";
import { globTool } from "./glob_tool.ts";
import { grepTool } from "./grep_tool.ts";
import { readFileTool } from "./read_file_tool.ts";
import { writeFileTool } from "./write_file_tool.ts";

/**
 * Options of `workspaceTools`.
 *
 * @example Read-only tools with no shell
 * ```ts ignore
 * const tools = workspaceTools("./project", { shell: false, write: false });
 * ```
 */
export interface WorkspaceToolsOptions {
  /** Include `bash`. @default true */
  readonly shell?: boolean;
  /** Include `write_file` and `edit_file`. @default true */
  readonly write?: boolean;
  /** Options of `bash`. */
  readonly bash?: BashToolOptions;
}

/**
 * The coder's workspace tools, all confined to one folder: `bash`,
 * `read_file`, `write_file`, `edit_file`, `glob`, `grep`.
 *
 * @param root The workspace folder (must exist).
 * @param options Which tools, and `bash` limits.
 * @returns The tools, in that order.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * import { workspaceTools } from "jsr:@looplet/looplet/workspace";
 * composableLoop({ llm, tools: workspaceTools("./project"), task: "Fix the failing test" });
 * ```
 */
export function workspaceTools(root: string, options: WorkspaceToolsOptions = {}): AnyTool[] {
  const { shell = true, write = true, bash } = options;
  return [
    ...(shell ? [bashTool(root, bash)] : []),
    readFileTool(root),
    ...(write ? [writeFileTool(root), editFileTool(root)] : []),
    globTool(root),
    grepTool(root),
  ];
}
