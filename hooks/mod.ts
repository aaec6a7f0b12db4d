/**
 * The hook library: checkpoints and crash-resume, approval, permissions,
 * context compaction, budgets and guards, memory, metrics, redaction and
 * sub-agents. Its own entry point keeps importing `mod.ts` fast:
 * `import { approvalHook, checkpointHook } from "jsr:@looplet/looplet/hooks"`.
 * Skills are on `"./skills"` and OpenTelemetry on `"./otel"`.
 *
 * @example Pause before deleting, checkpoint every step
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { approvalHook, checkpointHook, FileCheckpointStore } from "jsr:@looplet/looplet/hooks";
 * const store = new FileCheckpointStore(".looplet/run-1");
 * const run = composableLoop({
 *   llm, tools, task,
 *   resume: await store.latest({ task }),
 *   hooks: [approvalHook({ tools: ["delete_rows"] }), checkpointHook(store)],
 * });
 * ```
 *
 * @module
 */
export { FileCheckpointStore } from "./checkpoint/file_checkpoint_store.ts";
export type {
  FileCheckpointStoreOptions,
  LatestCheckpointOptions,
} from "./checkpoint/file_checkpoint_store.ts";
export { checkpointHook } from "./checkpoint/checkpoint_hook.ts";
export type { CheckpointHookOptions, CheckpointSink } from "./checkpoint/checkpoint_hook.ts";
export { approvalHook } from "./approval_hook.ts";
export type {
  ApprovalAnswer,
  ApprovalCallback,
  ApprovalHookOptions,
  ApprovalRequest,
} from "./approval_hook.ts";
export { permissionHook } from "./permission_hook.ts";
export type {
  ArgPattern,
  PermissionDecision,
  PermissionDenial,
  PermissionHook,
  PermissionHookOptions,
  PermissionOutcome,
  PermissionRule,
} from "./permission_hook.ts";
export { estimateTokens } from "./compaction/estimate_tokens.ts";
export { contextBudget } from "./compaction/context_budget.ts";
export type {
  ContextBudget,
  ContextBudgetOptions,
  ContextTier,
} from "./compaction/context_budget.ts";
export type { CompactContext, CompactStrategy } from "./compaction/compact_strategy.ts";
export { pruneToolResults } from "./compaction/prune_tool_results.ts";
export type { PruneToolResultsOptions } from "./compaction/prune_tool_results.ts";
export { summarizeTurns, SUMMARY_HEADER } from "./compaction/summarize_turns.ts";
export type { SummarizeTurnsOptions } from "./compaction/summarize_turns.ts";
export { truncateTranscript, TRUNCATION_NOTICE } from "./compaction/truncate_transcript.ts";
export type { TruncateTranscriptOptions } from "./compaction/truncate_transcript.ts";
export { compactChain } from "./compaction/compact_chain.ts";
export { compactionHook } from "./compaction/compaction_hook.ts";
export type {
  CompactionHook,
  CompactionHookOptions,
  CompactionRecord,
} from "./compaction/compaction_hook.ts";
export { budgetWarningHook } from "./budget_warning_hook.ts";
export type { BudgetWarningHookOptions } from "./budget_warning_hook.ts";
export { perToolLimitHook } from "./per_tool_limit_hook.ts";
export type { PerToolLimitHookOptions } from "./per_tool_limit_hook.ts";
export { STAGNATION_NUDGE, stagnationHook } from "./stagnation_hook.ts";
export type { StagnationHookOptions } from "./stagnation_hook.ts";
export { tokenBudgetHook } from "./token_budget_hook.ts";
export type { TokenBudgetHookOptions } from "./token_budget_hook.ts";
export { memoryHook } from "./memory_hook.ts";
export type { MemoryHookOptions, MemorySource } from "./memory_hook.ts";
export { metricsHook } from "./metrics_hook.ts";
export type { LatencySummary, MetricsHook, MetricsSnapshot } from "./metrics_hook.ts";
export { knownSecretValues, redactSecrets, SECRET_PATTERNS } from "./redact_secrets.ts";
export type { RedactSecretsOptions } from "./redact_secrets.ts";
export { redactingBackend } from "./redacting_backend.ts";
export { redactResultsHook } from "./redact_results_hook.ts";
export { subAgentTool } from "./sub_agent_tool.ts";
export type { SubAgentResult, SubAgentToolOptions } from "./sub_agent_tool.ts";

// the checkpoint format (state <-> versioned snake_case JSON)
export { decodeCheckpoint, encodeCheckpoint } from "./checkpoint/checkpoint_codec.ts";
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from "./checkpoint/checkpoint_codec.ts";
export type { EncodeCheckpointOptions, JsonValue } from "./checkpoint/checkpoint_codec.ts";
export { CheckpointError } from "../loop/checkpoint_error.ts";
