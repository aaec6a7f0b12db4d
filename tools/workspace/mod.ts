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
export type {
  BashArgs,
  BashResult,
  BashToolOptions,
  CommandRun,
  RunCommandOptions,
} from "./bash_tool.ts";
export { readFileTool } from "./read_file_tool.ts";
export type { ReadFileArgs, ReadFileResult, ReadFileToolOptions } from "./read_file_tool.ts";
export { writeFileTool } from "./write_file_tool.ts";
export type { WriteFileArgs, WriteFileResult } from "./write_file_tool.ts";
export { editFileTool } from "./edit_file_tool.ts";
export type { EditFileArgs, EditFileResult } from "./edit_file_tool.ts";
export { globTool } from "./glob_tool.ts";
export type { GlobArgs, GlobResult, GlobToolOptions } from "./glob_tool.ts";
export { grepTool } from "./grep_tool.ts";
export type { GrepArgs, GrepMatch, GrepResult, GrepToolOptions } from "./grep_tool.ts";
export {
  resolveWorkspacePath,
  toWorkspaceRelative,
  WorkspacePathError,
  workspaceRoot,
} from "./workspace_path.ts";
