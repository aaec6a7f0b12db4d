/**
 * Durable agent runs on DBOS Transact and PostgreSQL: each model call and
 * each tool call is a DBOS step, so a run survives crashes, restarts and
 * redeploys, and happens once; any process can submit runs, follow their
 * steps, answer approvals and cancel them.
 *
 * - `dbosAgent(name, build)`: an agent, by name.
 * - `launchWorker({ databaseUrl, agents, workerId, concurrency, takeOverAfterMs })`:
 *   runs the agents; takes over the runs of workers silent too long.
 * - `connectRuns({ databaseUrl })`: `submit`, `attach`, `answer`, `cancel`.
 *
 * This entry depends on `npm:@dbos-inc/dbos-sdk`; `@looplet/looplet/durable`
 * is the engine-neutral part.
 *
 * @example A worker and a submitter
 * ```ts ignore
 * import { connectRuns, dbosAgent, launchWorker } from "jsr:@looplet/looplet/dbos";
 * const greeter = dbosAgent("greeter", (input) => ({ llm, tools: [greet], task: `Greet ${input}` }));
 * const worker = await launchWorker({ databaseUrl, agents: [greeter], workerId: "worker-a" });
 * const runs = await connectRuns({ databaseUrl });
 * const run = await runs.submit(greeter, "Alice", { runId: "greet-alice" });
 * for await (const step of run) console.log(step.pretty());
 * await runs.close();
 * await worker.stop();
 * ```
 *
 * @module
 */

export { dbosAgent } from "./dbos_agent.ts";
export type { AgentBuild, AgentBuildContext, AgentOptions, DbosAgent } from "./dbos_agent.ts";
export { launchWorker } from "./launch_worker.ts";
export type { LaunchWorkerOptions, Worker, WorkerLogger } from "./launch_worker.ts";
export { connectRuns } from "./connect_runs.ts";
export type {
  AttachedRun,
  AttachOptions,
  ConnectRunsOptions,
  Runs,
  SubmitOptions,
} from "./connect_runs.ts";
export type { RunOutcome } from "./_names.ts";
