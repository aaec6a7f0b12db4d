/**
 * Workspace tools: shell, file and search tools confined to one folder.
 * A separate entry point because it loads Zod and `node:` built-ins:
 * `import { workspaceTools } from "jsr:@looplet/looplet/workspace"`.
 *
 * @module
 */
export { workspaceTools } from "./workspace_tools.ts";
export type { WorkspaceToolsOptions } from "./workspace_tools.ts";
export { bashTool, commandEnvironment, runCommand } from "./bash_tool.ts";
export type { BashResult, BashToolOptions, CommandRun, RunCommandOptions } from "./bash_tool.ts";
export { readFileTool } from "./read_file_tool.ts";
export type { ReadFileResult, ReadFileToolOptions } from "./read_file_tool.ts";
export { writeFileTool } from "./write_file_tool.ts";
export type { WriteFileResult } from "./write_file_tool.ts";
export { editFileTool } from "./edit_file_tool.ts";
export type { EditFileResult } from "./edit_file_tool.ts";
export { globTool } from "./glob_tool.ts";
export type { GlobResult, GlobToolOptions } from "./glob_tool.ts";
export { grepTool } from "./grep_tool.ts";
export type { GrepMatch, GrepResult, GrepToolOptions } from "./grep_tool.ts";
export {
  resolveWorkspacePath,
  toWorkspaceRelative,
  WorkspacePathError,
  workspaceRoot,
} from "./workspace_path.ts";
