import type { Backend, ModelRequest } from "../loop/types.ts";
import { parseToolCalls } from "../loop/parse.ts";
import { BackendError } from "./backend_error.ts";

/**
 * What `probeNativeTools` found.
 *
 * @example Report the probe's verdict
 * ```ts ignore
 * import { probeNativeTools } from "jsr:@looplet/looplet/backends";
 * const probe = await probeNativeTools(llm);
 * console.log(probe.nativeTools ? "native tools" : `text protocol: ${probe.reason}`);
 * ```
 */
export interface NativeToolProbe {
  /** True when the endpoint returned a structured call to the probe tool. */
  readonly nativeTools: boolean;
  /** Why, in one sentence. */
  readonly reason: string;
}

/**
 * Options of `probeNativeTools`.
 *
 * @example Give up on a slow endpoint after ten seconds
 * ```ts ignore
 * import { probeNativeTools } from "jsr:@looplet/looplet/backends";
 * const probe = await probeNativeTools(llm, { signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface ProbeNativeToolsOptions {
  /** Cancels the probe request. @default undefined */
  readonly signal?: AbortSignal;
}

const PROBE_TOOL = "get_secret_number";

/**
 * Ask an endpoint to call a tool and see whether it answers with a native,
 * structured tool call. Use it to choose the tool protocol: construct the
 * backend again with `nativeTools: false` when the probe says no.
 *
 * A server that rejects the `tools` field (400/404/422/501 mentioning tools,
 * as Ollama does for models without tool support) counts as "no"; any other
 * failure is thrown.
 *
 * @param backend A backend declared with `nativeTools: true`.
 * @param options Cancellation.
 * @returns Whether native tools work, and why.
 * @throws {TypeError} When the backend is declared without native tools.
 * @throws {BackendError} When the endpoint fails for another reason (bad key, unreachable).
 * @example Choose the protocol for a local model
 * ```ts ignore
 * import { OpenAICompatibleBackend, probeNativeTools } from "jsr:@looplet/looplet/backends";
 * const options = { baseUrl: "http://localhost:11434/v1", model: "llama3.2" };
 * const { nativeTools } = await probeNativeTools(new OpenAICompatibleBackend(options));
 * const llm = new OpenAICompatibleBackend({ ...options, nativeTools });
 * ```
 */
export async function probeNativeTools(
  backend: Backend,
  options: ProbeNativeToolsOptions = {},
): Promise<NativeToolProbe> {
  if (!backend?.capabilities?.nativeTools) {
    throw new TypeError(
      `Cannot probe backend "${backend?.name}": it is declared with nativeTools: false, so it ` +
        `never sends tools; probe a copy created with nativeTools: true`,
    );
  }
  const request: ModelRequest = {
    systemPrompt: "You are testing tool calling. When asked, call the tool; do not answer in text.",
    messages: [{ role: "user", content: `Call the ${PROBE_TOOL} tool now.` }],
    tools: [{
      name: PROBE_TOOL,
      description: "Return the secret number. Always call this tool when asked for it.",
      inputSchema: { type: "object", properties: {}, additionalProperties: false },
    }],
    maxTokens: 256,
    temperature: 0,
    purpose: "probe",
  };
  let turn;
  try {
    turn = await backend.generate(request, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (
      error instanceof BackendError && [400, 404, 422, 501].includes(error.status ?? 0) &&
      /tool|function/i.test(error.message)
    ) {
      return { nativeTools: false, reason: `the server rejected tools: ${error.message}` };
    }
    throw error;
  }
  const called = turn.toolCalls?.find((call) => call.name === PROBE_TOOL);
  if (called) return { nativeTools: true, reason: "the model returned a structured tool call" };
  const [other] = turn.toolCalls ?? [];
  if (other !== undefined) {
    return {
      nativeTools: true,
      reason: `the model returned a structured call, to "${other.name}"`,
    };
  }
  if (parseToolCalls(turn.text).some((call) => call.name === PROBE_TOOL)) {
    return {
      nativeTools: false,
      reason: "the model wrote the call as text instead of a structured call",
    };
  }
  return { nativeTools: false, reason: "the model answered without calling the tool" };
}
