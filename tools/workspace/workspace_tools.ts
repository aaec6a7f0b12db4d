import type { AnyTool } from "../../loop/types.ts";
import { bashTool, type BashToolOptions } from "./bash_tool.ts";
import type { CommandPolicy } from "./run_command.ts";
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
 *
 * @example A sandboxed shell with the network and one token
 * ```ts ignore
 * const tools = workspaceTools("./project", { sandbox: "bwrap", network: true, passEnv: ["NPM_TOKEN"] });
 * ```
 */
export interface WorkspaceToolsOptions extends CommandPolicy {
  /** Include `bash`. @default true */
  readonly shell?: boolean;
  /** Include `write_file` and `edit_file`. @default true */
  readonly write?: boolean;
  /** Options of `bash` (they win over the sandbox, network and passEnv given here). */
  readonly bash?: BashToolOptions;
  /** Let the file tools use files with more than one hard link. @default false */
  readonly allowHardLinks?: boolean;
}

/**
 * The coder's workspace tools, all confined to one folder: `bash`,
 * `read_file`, `write_file`, `edit_file`, `glob`, `grep`. The file tools are
 * always confined; how far `bash` is depends on `sandbox` (see the README's
 * threat model).
 *
 * @param root The workspace folder (must exist).
 * @param options Which tools, the sandbox, network and environment of `bash`, its limits, hard links.
 * @returns The tools, in that order.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * import { workspaceTools } from "jsr:@looplet/looplet/workspace";
 * composableLoop({ llm, tools: workspaceTools("./project"), task: "Fix the failing test" });
 * ```
 */
export function workspaceTools(root: string, options: WorkspaceToolsOptions = {}): AnyTool[] {
  const { shell = true, write = true, bash, allowHardLinks = false, ...policy } = options;
  const files = { allowHardLinks };
  return [
    ...(shell ? [bashTool(root, { ...policy, ...bash })] : []),
    readFileTool(root, files),
    ...(write ? [writeFileTool(root, files), editFileTool(root, files)] : []),
    globTool(root),
    grepTool(root, files),
  ];
}
