/**
 * A worker process for the durable benchmark (private to bench/):
 * `deno run -A bench/_durable_worker.ts <databaseUrl> <workerId> <concurrency>`;
 * prints "ready", stops on SIGTERM.
 *
 * @module
 */
import { launchWorker } from "../dbos/mod.ts";
import { benchAgent } from "./_durable_agent.ts";

const [databaseUrl = "", workerId = "", concurrency] = Deno.args;
const worker = await launchWorker({
  databaseUrl,
  agents: [benchAgent],
  workerId,
  concurrency: Number(concurrency),
});
Deno.addSignalListener("SIGTERM", async () => {
  await worker.stop();
  Deno.exit(0);
});
console.log("ready");
