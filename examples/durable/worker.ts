/**
 * A durable worker: runs the example's agents from PostgreSQL, recovers its
 * own runs when restarted with the same id, and takes over the runs of a
 * worker silent for 5 seconds.
 *
 *   deno run -A examples/durable/worker.ts worker-a
 *
 * The database URL comes from LOOPLET_DATABASE_URL.
 */
import { launchWorker } from "../../dbos/mod.ts";
import { deployer } from "./agents.ts";

const databaseUrl = Deno.env.get("LOOPLET_DATABASE_URL");
const [workerId] = Deno.args;
if (databaseUrl === undefined || workerId === undefined) {
  console.error("usage: LOOPLET_DATABASE_URL=postgresql://... worker.ts <worker-id>");
  Deno.exit(2);
}
const worker = await launchWorker({
  databaseUrl,
  agents: [deployer],
  workerId,
  concurrency: 4,
  takeOverAfterMs: 5000,
  logger: {
    debug() {},
    info: (entry) => console.log(`[${workerId}]`, entry),
    warn: (entry) => console.warn(`[${workerId}]`, entry),
    error: (entry) => console.error(`[${workerId}]`, entry),
  },
});
console.log(`worker ${workerId} is running (Ctrl-C stops it)`);
Deno.addSignalListener("SIGINT", async () => {
  await worker.stop();
  Deno.exit(0);
});
