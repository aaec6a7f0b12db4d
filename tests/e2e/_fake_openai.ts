// A fake OpenAI-compatible /v1/chat/completions on 127.0.0.1, for the tests that run the CLI or a
// program against a real HTTP endpoint (recorded replies for the backends are in
// tests/backends/_replay_fetch.ts).

/** A tool call as the wire carries it: the name and the arguments as JSON text. */
export type WireToolCall = { readonly name: string; readonly arguments: string };

/** The part of a chat request the fakes read. */
export type ChatRequest = { readonly tools?: readonly { function: { name: string } }[] };

/** A `chat.completion` whose one choice calls one tool. */
export function toolCallCompletion(
  call: WireToolCall,
  { id = "chatcmpl-1", callId = "call_1" }: { id?: string; callId?: string } = {},
): Record<string, unknown> {
  return {
    id,
    object: "chat.completion",
    created: 0,
    model: "fake",
    choices: [{
      index: 0,
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{ id: callId, type: "function", function: call }],
      },
    }],
    usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
  };
}

/** The call that answers the native-tool probe, when `body` is the probe's request. */
export function probeCall(body: ChatRequest): WireToolCall | undefined {
  const names = (body.tools ?? []).map((tool) => tool.function.name);
  return names.includes("get_secret_number")
    ? { name: "get_secret_number", arguments: "{}" }
    : undefined;
}

/**
 * Serve `reply` on 127.0.0.1; `number` counts the requests from 1. Every
 * request body is kept in `requests`.
 */
export function serveFakeOpenAI(
  reply: (body: ChatRequest, number: number) => Response,
): { readonly url: string; readonly requests: ChatRequest[]; close(): Promise<void> } {
  const requests: ChatRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = await request.json();
    requests.push(body);
    return reply(body, requests.length);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    close: () => server.shutdown(),
  };
}
