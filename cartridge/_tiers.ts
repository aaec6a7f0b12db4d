/** Keys of `config.yaml` (the CONTRACT tier) this host knows. */
export const CONTRACT_KEYS: ReadonlySet<string> = new Set([
  "extends",
  "max_steps",
  "system_prompt",
  "done_tool",
  "done_tools",
  "permissions",
  "memory",
  "memory_sources",
  "model",
  "builtin_tools",
  "builtin_hooks",
  "mcp_servers",
  "state_services",
  "state",
  "tool_metadata",
  "output_schema",
]);

/** Keys that must live in `runtime.yaml` (the RUNTIME tier). */
export const RUNTIME_KEYS: ReadonlySet<string> = new Set([
  "max_tokens",
  "temperature",
  "recovery_temperature",
  "max_turn_continuations",
  "generate_kwargs",
  "use_native_tools",
  "concurrent_dispatch",
  "reactive_recovery",
  "context_window",
  "context_window_steps",
  "context_inline_per_step_chars",
  "context_window_total_chars",
  "max_briefing_tokens",
  "router",
  "tracer",
  "recovery_registry",
  "compact_service",
  "cache_policy",
  "checkpoint_dir",
  "initial_checkpoint",
  "tool_result_persist_dir",
  "tool_render_hints",
]);

/** HOST-tier keys: runtime-supplied callables, tolerated in `runtime.yaml` but never used from it. */
export const HOST_KEYS: ReadonlySet<string> = new Set([
  "approval_handler",
  "cancel_token",
  "render_messages_override",
  "ask_handler",
]);

/** RUNTIME keys this host honours; the rest are recorded and reported by `describe`. */
export const HONOURED_RUNTIME_KEYS: ReadonlySet<string> = new Set([
  "max_tokens",
  "temperature",
  "concurrent_dispatch",
  "context_window",
]);
