import { join } from "node:path";
import { probeCall, serveFakeOpenAI, toolCallCompletion } from "../_fake_openai.ts";

export const REPO = new URL("../../../", import.meta.url).pathname;
export const CLI = join(REPO, "cli.ts");

/** Resolve when `path` exists, watching its folder (no polling sleeps). */
export async function waitForFile(path: string, signal: AbortSignal): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const watcher = Deno.watchFs(dir);
  const stop = () => watcher.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    if (await Deno.stat(path).then(() => true, () => false)) return;
    for await (const _event of watcher) {
      if (await Deno.stat(path).then(() => true, () => false)) return;
    }
    throw new Error(`gave up waiting for ${path}`);
  } finally {
    signal.removeEventListener("abort", stop);
    try {
      watcher.close();
    } catch {
      // already closed
    }
  }
}

/** Read a child's stream to the end as text. */
export async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) out += chunk;
  return out;
}

/** One tool call the fake model makes: a tool name and its arguments. */
export type FakeCall = { readonly name: string; readonly args: Record<string, unknown> };

/**
 * A local OpenAI-compatible chat endpoint on 127.0.0.1: it answers the
 * native-tool probe by calling the probe tool, then makes `calls` in order.
 */
export function fakeOpenAI(calls: readonly FakeCall[]): ReturnType<typeof serveFakeOpenAI> {
  let next = 0;
  return serveFakeOpenAI((body, number) => {
    let call = probeCall(body);
    if (call === undefined) {
      const { name, args } = calls[Math.min(next++, calls.length - 1)]!;
      call = { name, arguments: JSON.stringify(args) };
    }
    return Response.json(
      toolCallCompletion(call, { id: `chatcmpl-${number}`, callId: `call_${number}` }),
    );
  });
}

/** Run a Deno program to its end with a deadline; returns code and output. */
export async function runDeno(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { cwd = REPO, env = {}, timeoutMs = 45_000 } = options;
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}
