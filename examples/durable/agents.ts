/**
 * The agents of the durable example: a "deployer" that checks a service,
 * asks a human before deploying it, deploys, and reports. Its model is
 * scripted (offline) and, like a real model, a function of what it is sent:
 * a run replayed on another worker asks it the same things.
 *
 * Shared by worker.ts (which runs the agents) and submit.ts (which names them).
 */
import { z } from "zod";
import { type Backend, type ModelRequest, type ModelTurn, tool } from "../../mod.ts";
import { approvalHook } from "../../hooks/mod.ts";
import { type DbosAgent, dbosAgent } from "../../dbos/mod.ts";

/** What a deploy run is given. */
export interface DeployInput {
  /** The service to deploy. */
  readonly service: string;
  /** Milliseconds each tool call takes (so there is time to kill a worker mid-run). */
  readonly slowMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

function deployTools(runId: string, slowMs: number) {
  const check = tool({
    name: "check_service",
    description: "Check that a service is healthy.",
    input: z.object({ service: z.string() }),
    async execute({ service }, ctx) {
      console.log(`run ${runId}: checking ${service}`); // in this worker's output
      await sleep(slowMs, ctx.signal);
      return { service, healthy: true, version: "1.4.2" };
    },
  });
  const deploy = tool({
    name: "deploy",
    description: "Deploy a new version of a service.",
    input: z.object({ service: z.string(), version: z.string() }),
    async execute({ service, version }, ctx) {
      // A real deploy API would take this key, so a call retried after a crash deploys once.
      const { idempotencyKey } = ctx;
      console.log(`run ${runId}: deploying ${service} ${version} (key ${idempotencyKey})`);
      await sleep(slowMs, ctx.signal);
      return { service, version, deployment: idempotencyKey };
    },
  });
  return [check, deploy];
}

/** A scripted model: check, deploy, done; each reply depends only on the transcript. */
function deployModel(service: string): Backend {
  return {
    name: "scripted-deployer",
    capabilities: { nativeTools: true },
    generate(request: ModelRequest): Promise<ModelTurn> {
      const results = request.messages.filter((message) => message.role === "tool").length;
      const call = results === 0
        ? { name: "check_service", args: { service } }
        : results === 1
        ? { name: "deploy", args: { service, version: "1.4.3" } }
        : { name: "done", args: { answer: `${service} runs 1.4.3` } };
      return Promise.resolve({
        text: "",
        toolCalls: [{ id: `call_${results + 1}`, ...call }],
        usage: { inputTokens: 100 + 20 * results, outputTokens: 12 },
      });
    },
  };
}

/** The deployer: deploying needs a human's approval (answered from any process). */
export const deployer: DbosAgent = dbosAgent("deployer", (input, { runId }) => {
  const { service, slowMs = 2000 } = input as DeployInput;
  return {
    llm: deployModel(service),
    tools: deployTools(runId, slowMs),
    hooks: [approvalHook({ tools: ["deploy"], reason: (call) => `deploy ${call.args.service}?` })],
    task: `Deploy the latest version of ${service}`,
    maxSteps: 10,
  };
});
