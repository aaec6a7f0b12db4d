import type { AnyTool, ToolContext } from "../../../loop/types.ts";

/** Run a tool the way the loop does: validate, then execute with a context. */
export async function call(tool: AnyTool, args: Record<string, unknown>, signal?: AbortSignal) {
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) throw new Error(`invalid args: ${JSON.stringify(parsed.error.issues)}`);
  const ctx = {
    signal: signal ?? new AbortController().signal,
    step: 1,
    turn: 1,
    call: { id: "c1", name: tool.name, args },
    metadata: {},
    llm: undefined as never,
    progress() {},
    addUsage() {},
    idempotencyKey: "run:call",
  } satisfies ToolContext;
  return await tool.execute(parsed.data, ctx);
}

export async function tempWorkspace(files: Record<string, string> = {}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "looplet-ws-" });
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
  return root;
}
