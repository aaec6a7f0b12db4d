/**
 * Workspace tools: shell, file and search tools confined to one folder, and
 * the explicit environment and optional bubblewrap sandbox of every command.
 * A separate entry point because it loads Zod and `node:` built-ins:
 * `import { workspaceTools } from "jsr:@looplet/looplet/workspace"`.
 *
 * @module
 */
export { workspaceTools } from "./workspace_tools.ts";
export type { WorkspaceToolsOptions } from "./workspace_tools.ts";
export { bashTool } from "./bash_tool.ts";
export type { BashArgs, BashResult, BashToolOptions } from "./bash_tool.ts";
export { runCommand, workspaceHome } from "./run_command.ts";
export type { CommandPolicy, CommandRun, RunCommandOptions } from "./run_command.ts";
export { COMMAND_ENV_NAMES, commandEnvironment } from "./command_environment.ts";
export type { CommandEnvironmentOptions } from "./command_environment.ts";
export { detectSandbox, SANDBOX_MODES } from "./detect_sandbox.ts";
export type { SandboxMode, SandboxStatus } from "./detect_sandbox.ts";
export { readFileTool } from "./read_file_tool.ts";
export type { ReadFileArgs, ReadFileResult, ReadFileToolOptions } from "./read_file_tool.ts";
export { writeFileTool } from "./write_file_tool.ts";
export type { FileToolOptions, WriteFileArgs, WriteFileResult } from "./write_file_tool.ts";
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
