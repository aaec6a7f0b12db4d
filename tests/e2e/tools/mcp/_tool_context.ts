import type { ToolContext } from "../../../../loop/types.ts";
import { ScriptedBackend } from "../../../../backends/scripted.ts";

/** A context for calling an MCP tool's `execute` directly, outside a loop. */
export function toolContext(): ToolContext {
  return {
    signal: new AbortController().signal,
    step: 1,
    turn: 1,
    call: { id: "1", name: "x", args: {} },
    metadata: {},
    llm: new ScriptedBackend([]),
    progress() {},
    addUsage() {},
    idempotencyKey: "run:call",
  };
}
