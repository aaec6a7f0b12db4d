/**
 * Real model backends: `OpenAICompatibleBackend` (any `/v1/chat/completions`
 * server) and `AnthropicBackend` over `fetch`, with routing, fallback, cost,
 * retries, the native-tool probe, and recording/replay of real runs. A
 * separate entry point so that importing the core (`jsr:@looplet/looplet`)
 * stays fast: `import { OpenAICompatibleBackend } from "jsr:@looplet/looplet/backends"`.
 *
 * @example Ask a local Ollama model
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { OpenAICompatibleBackend } from "jsr:@looplet/looplet/backends";
 *
 * const llm = new OpenAICompatibleBackend({ baseUrl: "http://localhost:11434/v1", model: "llama3.2" });
 * const outcome = await composableLoop({ llm, task: "Say hello" }).complete();
 * ```
 *
 * @module
 */
export { OpenAICompatibleBackend } from "./openai/backend.ts";
export type { OpenAICompatibleEnvOptions, OpenAICompatibleOptions } from "./openai/backend.ts";
export { AnthropicBackend, DEFAULT_ANTHROPIC_MODEL } from "./anthropic/backend.ts";
export type { AnthropicEnvOptions, AnthropicOptions } from "./anthropic/backend.ts";
export { backendFromEnv } from "./backend_from_env.ts";
export type { BackendFromEnvOptions } from "./backend_from_env.ts";
export { routerBackend } from "./router_backend.ts";
export type { RouterBackendOptions } from "./router_backend.ts";
export { fallbackBackend } from "./fallback_backend.ts";
export type { FallbackBackendOptions } from "./fallback_backend.ts";
export { costOf, withCost } from "./with_cost.ts";
export type { ModelPrice } from "./with_cost.ts";
export { withRetry } from "./with_retry.ts";
export type { WithRetryOptions } from "./with_retry.ts";
export { probeNativeTools } from "./probe_native_tools.ts";
export type { NativeToolProbe, ProbeNativeToolsOptions } from "./probe_native_tools.ts";
export { RecordingBackend } from "./recording_backend.ts";
export type { RecordingBackendOptions } from "./recording_backend.ts";
export type { JsonObject, RecordedCall, RecordedError, Recording } from "./recording.ts";
export { ReplayBackend } from "./replay_backend.ts";
export type { ReplayBackendOptions } from "./replay_backend.ts";
