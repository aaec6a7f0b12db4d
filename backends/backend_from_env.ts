import type { Backend } from "../loop/types.ts";
import { AnthropicBackend, type AnthropicEnvOptions } from "./anthropic/backend.ts";
import { OpenAICompatibleBackend, type OpenAICompatibleEnvOptions } from "./openai/backend.ts";

/**
 * Options of `backendFromEnv`, passed to the backend it builds.
 *
 * @example Set per-provider options
 * ```ts ignore
 * import { backendFromEnv } from "jsr:@looplet/looplet/backends";
 * const llm = backendFromEnv(Deno.env.toObject(), {
 *   openai: { contextWindow: 128_000, toolChoice: "auto" },
 *   anthropic: { maxTokens: 4096, cache: true },
 * });
 * ```
 */
export interface BackendFromEnvOptions {
  /** Options for the OpenAI-compatible backend. @default {} */
  readonly openai?: OpenAICompatibleEnvOptions;
  /** Options for the Anthropic backend. @default {} */
  readonly anthropic?: AnthropicEnvOptions;
}

/**
 * Pick a real backend from environment variables, passed in explicitly:
 *
 * - `OPENAI_BASE_URL` or `OPENAI_MODEL` set: an OpenAI-compatible backend
 *   (`OPENAI_API_KEY` optional for local servers such as Ollama);
 * - otherwise `ANTHROPIC_API_KEY` set: an Anthropic backend
 *   (`ANTHROPIC_MODEL`, `ANTHROPIC_BASE_URL` optional);
 * - nothing set: `undefined`, so demos can fall back to a scripted model.
 *
 * @param env The variables, for example `Deno.env.toObject()`.
 * @param options Options for the backend built.
 * @returns A backend, or `undefined` when no variable is set.
 * @throws {TypeError} Naming the missing variable, for example `OPENAI_MODEL`.
 * @example Use a real model when configured
 * ```ts ignore
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * import { backendFromEnv } from "jsr:@looplet/looplet/backends";
 * const llm = backendFromEnv(Deno.env.toObject()) ?? new ScriptedBackend(["..."]);
 * ```
 */
export function backendFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: BackendFromEnvOptions = {},
): Backend | undefined {
  if (typeof env !== "object" || env === null) {
    throw new TypeError("Cannot pick a backend: pass the environment, e.g. Deno.env.toObject()");
  }
  const set = (name: string) => (env[name]?.trim() ?? "") !== "";
  if (set("OPENAI_BASE_URL") || set("OPENAI_MODEL")) {
    return OpenAICompatibleBackend.fromEnv(env, options.openai);
  }
  if (set("ANTHROPIC_API_KEY")) return AnthropicBackend.fromEnv(env, options.anthropic);
  if (set("OPENAI_API_KEY")) {
    throw new TypeError(
      "Cannot configure the OpenAI-compatible backend: OPENAI_API_KEY is set but OPENAI_MODEL " +
        "is not; set OPENAI_MODEL, for example OPENAI_MODEL=gpt-4o-mini",
    );
  }
  if (set("ANTHROPIC_MODEL") || set("ANTHROPIC_BASE_URL")) {
    throw new TypeError(
      "Cannot configure the Anthropic backend: ANTHROPIC_API_KEY is not set; set it to your API key",
    );
  }
  return undefined;
}
