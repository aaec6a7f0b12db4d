// An agent whose tool has a side effect (a charge, appended to a file), run as
// a subprocess by effects_crash_test.ts, which SIGKILLs it at a chosen point:
//   deno run -A _effects_agent.ts <checkpoint-dir> <effects-file> <kind>:<n>
// At the n-th point of that kind in this process it prints "at <kind>:<n>"
// and blocks reading stdin, so the kill lands exactly there. It prints
// "step <number> <call id>" once each step is checkpointed.
//
// The model is a pure function of the transcript and behaves as a careful
// model should: after a charge that was interrupted it calls the read-only
// `check` tool, and charges again only when the charge did not happen.
import { z } from "zod";
import { composableLoop, type ModelRequest, ScriptedBackend, tool } from "../../../../mod.ts";
import { checkpointHook, FileCheckpointStore } from "../../../../hooks/mod.ts";

export const TASK = "Charge every amount once";
export const AMOUNTS = Array.from({ length: 14 }, (_, index) => index + 1);
export const KINDS = [
  "model",
  "reply",
  "before-effect",
  "after-effect",
  "after-step",
  "check",
] as const;
export type KillKind = typeof KINDS[number];

/** What the model does next, read from the transcript. */
function reply(request: ModelRequest) {
  const results = new Map<string, string>();
  const calls: { id: string; name: string; args: Record<string, unknown> }[] = [];
  for (const message of request.messages) {
    if (message.role === "tool") results.set(message.toolCallId!, message.content);
    for (const call of message.toolCalls ?? []) calls.push(call);
  }
  const actions: { id: string; name: string; args: Record<string, unknown> }[] = [];
  for (const amount of AMOUNTS) {
    const attempts = calls.filter((call) => call.name === "charge" && call.args.amount === amount);
    const last = attempts.at(-1);
    if (last === undefined) {
      actions.push({ id: `ch${amount}a1`, name: "charge", args: { amount } });
      continue;
    }
    const result = results.get(last.id) ?? "";
    if (!result.startsWith("Error:")) continue; // charged
    const attempt = attempts.length;
    const checkId = `ck${amount}a${attempt}`;
    if (result.includes("interrupted") && !results.has(checkId)) {
      actions.push({ id: checkId, name: "check", args: { call_id: last.id } });
      continue;
    }
    if (results.get(checkId) === '{"charged":true}') continue; // it did happen
    actions.push({ id: `ch${amount}a${attempt + 1}`, name: "charge", args: { amount } });
  }
  if (actions.length === 0) {
    const total = AMOUNTS.reduce((sum, amount) => sum + amount, 0);
    return { toolCalls: [{ id: "finish", name: "done", args: { answer: `charged ${total}` } }] };
  }
  // two calls in a turn now and then, so a kill can land between calls of one turn
  const take = actions[0]!.name === "charge" && Number(actions[0]!.args.amount) % 3 === 0 ? 2 : 1;
  return { toolCalls: actions.slice(0, take) };
}

export function agent(dir: string, effects: string, killAt?: string) {
  const seen = new Map<string, number>();
  const encoder = new TextEncoder();
  const print = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));
  const point = (kind: KillKind) => {
    const count = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, count);
    if (`${kind}:${count}` !== killAt) return;
    print(`at ${killAt}`);
    Deno.stdin.readSync(new Uint8Array(1)); // blocks until the parent kills this process
  };
  const charge = tool({
    name: "charge",
    description: "Charge an amount (not safe to repeat).",
    input: z.object({ amount: z.number() }),
    execute: ({ amount }, ctx) => {
      point("before-effect");
      Deno.writeTextFileSync(effects, `${ctx.idempotencyKey} ${amount}\n`, { append: true });
      point("after-effect");
      return { charged: amount };
    },
  });
  const check = tool({
    name: "check",
    description: "Tell whether a charge call took effect.",
    input: z.object({ call_id: z.string() }),
    readOnly: true,
    execute: ({ call_id }) => {
      point("check");
      let text = "";
      try {
        text = Deno.readTextFileSync(effects);
      } catch { /* no charge yet */ }
      const charged = text.split("\n").some((line) => line.split(" ")[0]!.endsWith(`:${call_id}`));
      return { charged };
    },
  });
  const store = new FileCheckpointStore(dir);
  return {
    store,
    async run() {
      const resume = await store.latest({ task: TASK });
      if (resume?.stopReason === "done") return undefined;
      const run = composableLoop({
        llm: new ScriptedBackend(Array.from({ length: 200 }, () => (request: ModelRequest) => {
          point("model");
          return reply(request);
        })),
        tools: [charge, check],
        task: TASK,
        maxSteps: 200,
        resume,
        hooks: [
          checkpointHook(store),
          {
            name: "kill-points",
            onModelReply: () => point("reply"),
            events: ["step"],
            onEvent: (event) => {
              if (event.type !== "step") return;
              if (killAt !== undefined) print(`step ${event.step.number} ${event.step.call.id}`);
              point("after-step");
            },
          },
        ],
      });
      return await run.complete();
    },
  };
}

if (import.meta.main) {
  const [dir, effects, killAt] = Deno.args;
  await agent(dir!, effects!, killAt).run();
  console.log("finished");
}
