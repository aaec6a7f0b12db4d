// A worker process for the durable e2e tests:
//   deno run -A _worker.ts <workerId> <agent> <concurrency> <takeOverAfterMs>
// prints "ready" once launched; stops on SIGTERM.
import { launchWorker } from "../../../dbos/mod.ts";
import { counterAgent } from "./_agent.ts";

const [workerId = "", agent = "", concurrency, takeOverAfterMs] = Deno.args;
const databaseUrl = Deno.env.get("LOOPLET_TEST_DATABASE_URL")!;
const worker = await launchWorker({
  databaseUrl,
  agents: [counterAgent(agent)],
  workerId,
  concurrency: Number(concurrency),
  takeOverAfterMs: Number(takeOverAfterMs),
  logger: { debug() {}, info() {}, warn: (e) => console.error(e), error: (e) => console.error(e) },
});
Deno.addSignalListener("SIGTERM", async () => {
  await worker.stop();
  Deno.exit(0);
});
console.log("ready");
