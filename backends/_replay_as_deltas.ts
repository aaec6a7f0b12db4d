/** Deltas for a turn that arrived whole, for callers that asked for a stream. */

import type { ModelDelta, ModelTurn } from "../loop/types.ts";

/** Deliver a complete turn to `onDelta` as the deltas a stream would have sent. */
export function replayAsDeltas(turn: ModelTurn, onDelta: (delta: ModelDelta) => void): void {
  if (turn.reasoning) onDelta({ type: "reasoning", text: turn.reasoning });
  if (turn.text !== "") onDelta({ type: "text", text: turn.text });
  turn.toolCalls?.forEach((call, index) =>
    onDelta({
      type: "tool_call",
      index,
      id: call.id,
      name: call.name,
      argsText: call.argsError ?? JSON.stringify(call.args),
    })
  );
}
