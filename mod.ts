/**
 * looplet: the agent loop as an async iterator you own.
 *
 * Each turn, hooks shape the prompt, the model proposes tool calls, hooks may
 * deny, rewrite, pause or short-circuit them, the arguments are validated with
 * Zod, the tool runs, hooks see the result, and the loop yields a `Step`.
 *
 * @example Greet Alice with a scripted model
 * ```ts ignore
 * import { z } from "zod";
 * import { composableLoop, ScriptedBackend, tool } from "jsr:@looplet/looplet";
 *
 * const greet = tool({
 *   name: "greet",
 *   description: "Greet someone by name.",
 *   input: z.object({ name: z.string() }),
 *   execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * const llm = new ScriptedBackend([
 *   ScriptedBackend.call("greet", { name: "Alice" }),
 *   ScriptedBackend.call("done", { answer: "Greeted Alice" }),
 * ]);
 * for await (const step of composableLoop({ llm, tools: [greet], task: "Greet Alice" })) {
 *   console.log(step.pretty()); // #1 ✓ greet(name=Alice) → greeting: Hello, Alice! [0ms]
 * }
 * ```
 *
 * @module
 */

export { composableLoop } from "./loop/composable_loop.ts";
export type { ApprovalDecision, LoopOptions } from "./loop/composable_loop.ts";
export { AgentRun } from "./loop/agent_run.ts";
export { argsSummary, Step } from "./loop/step.ts";
export { parseToolCalls } from "./loop/parse.ts";
export { textToolProtocol } from "./loop/prompt.ts";
export { suggestSimilar } from "./loop/suggest_similar.ts";
export { HookError } from "./loop/hook_error.ts";
export { addUsage, usageToJson, ZERO_USAGE } from "./loop/usage.ts";
export { abortableDelay } from "./loop/abortable_delay.ts";
export { isRetryable, retryDelay } from "./loop/retry_policy.ts";
export { isPromptTooLong } from "./loop/prompt_too_long.ts";
export type { RetryPolicy } from "./loop/retry_policy.ts";
export { done } from "./loop/done_tool.ts";
export type { DoneArgs } from "./loop/done_tool.ts";
export type {
  AnyTool,
  Backend,
  BackendCapabilities,
  CallContext,
  EffectStart,
  ErrorKind,
  GenerateOptions,
  Hook,
  HookContextBase,
  HookDecision,
  HookReturn,
  LoopEndContext,
  LoopEvent,
  LoopState,
  Message,
  ModelDelta,
  ModelReplyContext,
  ModelRequest,
  ModelTurn,
  Outcome,
  PendingApproval,
  PrePromptContext,
  PromptTooLongContext,
  ResultContext,
  Role,
  SchemaIssue,
  SchemaParseResult,
  StepCall,
  StepRecord,
  StepResult,
  StopReason,
  Tool,
  ToolCallRequest,
  ToolContext,
  ToolInputSchema,
  ToolSchema,
  TurnContext,
  Usage,
} from "./loop/types.ts";

export { tool } from "./tools/tool.ts";
export type { ToolDefinition } from "./tools/tool.ts";
export { ToolRegistry } from "./tools/tool_registry.ts";
export { ToolInputError } from "./tools/tool_input_error.ts";
export { think } from "./tools/think_tool.ts";
export type { ThinkArgs } from "./tools/think_tool.ts";

export { BackendError } from "./backends/backend_error.ts";
export type { BackendErrorOptions } from "./backends/backend_error.ts";
export { ScriptedBackend } from "./backends/scripted.ts";
export type {
  ScriptedBackendOptions,
  ScriptedResponse,
  ScriptedToolCall,
  ScriptedTurn,
} from "./backends/scripted.ts";
