import assert from "node:assert/strict";
import { z } from "zod";
import {
  BackendError,
  type Message,
  type ModelRequest,
  ScriptedBackend,
  tool,
} from "../../../mod.ts";
import {
  compactChain,
  compactionHook,
  contextBudget,
  estimateTokens,
  pruneToolResults,
  summarizeTurns,
  SUMMARY_HEADER,
  truncateTranscript,
  TRUNCATION_NOTICE,
} from "../../../hooks/mod.ts";
import { composableLoop } from "../../../mod.ts";
import { runningEstimate } from "../../../hooks/compaction/_transcript.ts";

const signal = new AbortController().signal;

/** task, then `turns` × (assistant call + tool result of `size` chars). */
function transcript(turns: number, size = 400): Message[] {
  const messages: Message[] = [{ role: "user", content: "Task: read every file" }];
  for (let i = 1; i <= turns; i++) {
    messages.push({
      role: "assistant",
      content: `reading ${i}`,
      toolCalls: [{ id: `c${i}`, name: "read", args: { i } }],
    });
    messages.push({
      role: "tool",
      content: `${i}:`.padEnd(size, "x"),
      toolCallId: `c${i}`,
      toolName: "read",
    });
  }
  return messages;
}

function paired(messages: readonly Message[]): boolean {
  const ids = new Set<string>();
  for (const message of messages) {
    for (const call of message.toolCalls ?? []) ids.add(call.id);
    if (message.role === "tool" && !ids.has(message.toolCallId ?? "")) return false;
  }
  return true;
}

Deno.test("estimateTokens() counts about 4 characters per token plus per-message overhead", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("abcdefgh"), 2);
  assert.equal(estimateTokens({ role: "user", content: "abcdefgh" }), 6);
  const call: Message = {
    role: "assistant",
    content: "",
    toolCalls: [{ id: "1", name: "read", args: { i: 1 } }],
  };
  assert.equal(estimateTokens(call), Math.ceil((4 + 7) / 4) + 4);
  assert.equal(
    estimateTokens(transcript(2)),
    estimateTokens(transcript(2).slice(0, 3)) + estimateTokens(transcript(2).slice(3)),
  );
});

Deno.test("contextBudget() classifies by thresholds and rejects impossible ones", () => {
  const budget = contextBudget({ contextWindow: 1000 });
  assert.deepEqual([budget.warningAt, budget.errorAt], [600, 800]);
  assert.deepEqual([599, 600, 799, 800].map(budget.classify), [
    "ok",
    "warning",
    "warning",
    "error",
  ]);
  assert.throws(
    () => contextBudget({ contextWindow: 0 }),
    /'contextWindow' must be a positive integer, got 0/,
  );
  assert.throws(
    () => contextBudget({ contextWindow: 100, warningAt: 90, errorAt: 50 }),
    /need 0 < warningAt <= errorAt <= contextWindow/,
  );
});

Deno.test("pruneToolResults() clears older results in place, keeping recent ones and pairs", async () => {
  const messages = transcript(6);
  const result = await pruneToolResults({ keepRecent: 2 }).compact(messages, {
    targetTokens: 0,
    reason: "threshold",
    signal,
  });
  assert.equal(result.length, messages.length);
  const tools = result.filter((m) => m.role === "tool");
  assert.deepEqual(tools.map((m) => m.content.startsWith("[tool result cleared")), [
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  assert.ok(estimateTokens(result) < estimateTokens(messages) / 2);
  assert.ok(paired(result));
  const only = await pruneToolResults({ keepRecent: 0, tools: ["other"] }).compact(messages, {
    targetTokens: 0,
    reason: "threshold",
    signal,
  });
  assert.equal(only, messages, "nothing to prune returns the same transcript");
});

Deno.test("truncateTranscript() keeps the task and a recent tail that starts on a call, never on a result", async () => {
  const messages = transcript(10);
  const result = await truncateTranscript({ keepRecent: 5 }).compact(messages, {
    targetTokens: 10_000,
    reason: "threshold",
    signal,
  });
  assert.equal(result[0]!.content, "Task: read every file");
  assert.equal(result[1]!.content, TRUNCATION_NOTICE);
  assert.equal(result[2]!.role, "assistant");
  assert.ok(paired(result));
  assert.equal(result.at(-1), messages.at(-1));
  assert.ok(result.length <= 2 + 6);
  // a tight target shrinks the tail further
  const tight = await truncateTranscript({ keepRecent: 8 }).compact(messages, {
    targetTokens: 150,
    reason: "threshold",
    signal,
  });
  assert.ok(tight.length < 2 + 8 && paired(tight), `${tight.length}`);
});

Deno.test("summarizeTurns() asks the summariser with purpose 'summarize' and replaces older turns", async () => {
  const summariser = new ScriptedBackend([{
    text: "Read files 1-7; all fine.",
    usage: { inputTokens: 50, outputTokens: 8 },
  }], { recordRequests: true, name: "cheap" });
  const added: unknown[] = [];
  const messages = transcript(10);
  const result = await summarizeTurns({ llm: summariser, keepRecent: 6 }).compact(messages, {
    targetTokens: 100,
    reason: "threshold",
    signal,
    addUsage: (usage) => added.push(usage),
  });
  const request = summariser.requests[0];
  assert.equal(request!.purpose, "summarize");
  assert.deepEqual(request!.tools, []);
  assert.match(request!.messages[0]!.content, /\[tool read\] 1:x+/);
  assert.equal(result[1]!.content, `${SUMMARY_HEADER}\nRead files 1-7; all fine.`);
  assert.equal(result.length, 2 + 6);
  assert.ok(paired(result));
  assert.deepEqual(added, [{ inputTokens: 50, outputTokens: 8 }]);
});

Deno.test("summarizeTurns(): a failing summariser falls back to truncation with a warning", async () => {
  const warnings: string[] = [];
  const failing = new ScriptedBackend([new BackendError("upstream down", { status: 503 })], {
    name: "cheap",
  });
  const messages = transcript(10);
  const result = await summarizeTurns({ llm: failing }).compact(messages, {
    targetTokens: 300,
    reason: "threshold",
    signal,
    onWarning: (message) => warnings.push(message),
  });
  assert.equal(result[1]!.content, TRUNCATION_NOTICE);
  assert.ok(estimateTokens(result) < estimateTokens(messages));
  assert.deepEqual(warnings, ['Summary by "cheap" failed (upstream down); truncated instead']);
});

Deno.test("compactChain() stops once under target and skips a throwing stage with a warning", async () => {
  const messages = transcript(10);
  const calls: string[] = [];
  const spy = (name: string) => ({
    name,
    compact: (m: readonly Message[]) => (calls.push(name), m),
  });
  const boom = {
    name: "boom",
    compact: () => {
      throw new Error("exploded");
    },
  };
  const warnings: string[] = [];
  const chain = compactChain(spy("a"), boom, pruneToolResults({ keepRecent: 1 }), spy("never"));
  assert.equal(chain.name, "chain(a, boom, prune, never)");
  const result = await chain.compact(messages, {
    targetTokens: 500,
    reason: "threshold",
    signal,
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(calls, ["a"]);
  assert.deepEqual(warnings, ['Compaction stage "boom" failed: exploded; trying the next stage']);
  assert.ok(estimateTokens(result) <= 500);
  assert.throws(() => compactChain(), /pass at least one strategy/);
});

function readTool() {
  return tool({
    name: "read",
    description: "Read a file.",
    input: z.object({ i: z.number() }),
    execute: ({ i }) => `${i}:`.padEnd(2000, "x"),
  });
}

/** A model that reads files 1..turns, then finishes (counts its own replies: transcripts shrink). */
function readingModel(turns: number) {
  let turn = 0;
  return (_request: ModelRequest) => {
    turn++;
    return turn > turns
      ? ScriptedBackend.call("done", { answer: "read all" })
      : { toolCalls: [{ id: `r${turn}`, name: "read", args: { i: turn } }] };
  };
}

Deno.test("compactionHook(): past the threshold the next request really is smaller", async () => {
  const model = readingModel(20);
  const llm = new ScriptedBackend(Array.from({ length: 40 }, () => model), {
    recordRequests: true,
  });
  const hook = compactionHook({
    budget: 4000,
    strategy: compactChain(pruneToolResults({ keepRecent: 2 }), truncateTranscript()),
  });
  const outcome = await composableLoop({
    llm,
    tools: [readTool()],
    task: "Read 20 files",
    maxSteps: 30,
    hooks: [hook],
  }).complete();
  assert.equal(outcome.stopReason, "done");
  const sizes = llm.requests.map((request) => estimateTokens(request.messages));
  assert.ok(hook.compactions.length > 0);
  const first = hook.compactions[0];
  assert.ok(first!.before >= 2400 && first!.after < first!.before);
  // the request of the turn that compacted is smaller than the one before it
  assert.ok(sizes[first!.turn - 1]! < sizes[first!.turn - 2]!, `${sizes}`);
  // never past the window: the hook held what the model sees under the budget
  assert.ok(Math.max(...sizes) < 4000, `${Math.max(...sizes)}`);
  for (const request of llm.requests) assert.ok(paired(request.messages));
});

Deno.test("compactionHook(): a summariser that fails mid-run leaves the run going on with truncation", async () => {
  const model = readingModel(12);
  const llm = new ScriptedBackend(Array.from({ length: 40 }, () => model), {
    recordRequests: true,
  });
  const warnings: string[] = [];
  const hook = compactionHook({
    budget: 4000,
    strategy: summarizeTurns({
      llm: new ScriptedBackend([new Error("summariser crashed")], { name: "cheap" }),
    }),
    onWarning: (message) => warnings.push(message),
  });
  const outcome = await composableLoop({
    llm,
    tools: [readTool()],
    task: "Read",
    maxSteps: 30,
    hooks: [hook],
  }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.match(warnings[0]!, /Summary by "cheap" failed \(summariser crashed\); truncated instead/);
  assert.ok(hook.compactions.length > 0);
  assert.ok(
    llm.requests.some((request) => request.messages.some((m) => m.content === TRUNCATION_NOTICE)),
  );
});

Deno.test("compactionHook(): when the provider says the prompt is too long, it compacts harder and the loop retries", async () => {
  const limit = 1500;
  let refused = 0;
  const model = readingModel(8);
  const llm = new ScriptedBackend(Array.from({ length: 60 }, () => (request: ModelRequest) => {
    if (estimateTokens(request.messages) > limit) {
      refused++;
      return new BackendError("prompt is too long: 1600 tokens > 1500 maximum", { status: 400 });
    }
    return model(request);
  }));
  // the budget believes the window is far larger than it is, so only the provider's refusal triggers compaction
  const hook = compactionHook({
    budget: 1_000_000,
    strategy: truncateTranscript({ keepRecent: 6 }),
  });
  const outcome = await composableLoop({
    llm,
    tools: [readTool()],
    task: "Read",
    maxSteps: 20,
    retry: { attempts: 1 },
    hooks: [hook],
  }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.ok(refused >= 1);
  assert.ok(hook.compactions.every((c) => c.reason === "prompt_too_long"));
  assert.ok(hook.compactions.length >= refused);
});

Deno.test("compactionHook() rejects bad options", () => {
  assert.throws(() => compactionHook({ budget: 100 } as never), /'strategy' must be a strategy/);
  assert.throws(
    () => compactionHook({ budget: 100, strategy: truncateTranscript(), targetRatio: 1 }),
    /'targetRatio' must be between 0 and 1, got 1/,
  );
  assert.throws(
    () => compactionHook({ budget: "x" as never, strategy: truncateTranscript() }),
    /'budget' must be a context window/,
  );
  assert.throws(() => summarizeTurns({} as never), /'llm' must be a Backend/);
  assert.throws(
    () => truncateTranscript({ keepRecent: 0 }),
    /'keepRecent' must be a positive integer, got 0/,
  );
});

Deno.test("runningEstimate() counts appended messages and recounts a replaced or rewritten transcript", () => {
  const estimate = runningEstimate();
  const transcript: Message[] = [{ role: "user", content: "x".repeat(40) }];
  assert.equal(estimate(transcript), estimateTokens(transcript));
  transcript.push({ role: "assistant", content: "y".repeat(80) });
  assert.equal(estimate(transcript), estimateTokens(transcript));
  const replaced = [transcript[0]!];
  assert.equal(estimate(replaced), estimateTokens(replaced));
  transcript.push({ role: "tool", content: "z".repeat(400), toolCallId: "c1" });
  assert.equal(estimate(transcript), estimateTokens(transcript));
  transcript[transcript.length - 1] = { role: "tool", content: "short", toolCallId: "c1" };
  assert.equal(estimate(transcript), estimateTokens(transcript), "a rewritten last message");
  transcript.length = 1;
  assert.equal(estimate(transcript), estimateTokens(transcript), "a shortened transcript");
});
