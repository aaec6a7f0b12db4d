/**
 * Submit, watch, approve and cancel durable runs, from any process:
 *
 *   deno run -A examples/durable/submit.ts submit <run-id> [service]   # start (or attach) and watch
 *   deno run -A examples/durable/submit.ts watch <run-id> [--from N]   # follow from step N
 *   deno run -A examples/durable/submit.ts approve <run-id>            # answer the approval wait
 *   deno run -A examples/durable/submit.ts deny <run-id> [reason]
 *   deno run -A examples/durable/submit.ts cancel <run-id>
 *
 * The database URL comes from LOOPLET_DATABASE_URL.
 */
import { parseArgs } from "node:util";
import { type AttachedRun, connectRuns } from "../../dbos/mod.ts";
import { deployer } from "./agents.ts";

const USAGE = "usage: submit.ts submit|watch|approve|deny|cancel <run-id> [service|reason]";
const databaseUrl = Deno.env.get("LOOPLET_DATABASE_URL");
const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { from: { type: "string", default: "0" } },
});
const [command, runId, extra] = positionals;
if (databaseUrl === undefined || runId === undefined) {
  console.error(USAGE);
  Deno.exit(2);
}

async function watch(run: AttachedRun): Promise<void> {
  for await (const step of run) {
    console.log(step.pretty());
    if (step.result.awaitingApproval !== undefined) {
      console.log(`  waiting: run "submit.ts approve ${runId}" (or deny) from any shell`);
    }
  }
  const { stopReason, finalAnswer, steps, modelCalls } = await run.outcome;
  console.log(JSON.stringify({ stopReason, finalAnswer, steps, modelCalls }));
}

const runs = await connectRuns({ databaseUrl });
try {
  if (command === "submit") {
    await watch(await runs.submit(deployer, { service: extra ?? "api" }, { runId }));
  } else if (command === "watch") await watch(runs.attach(runId, { from: Number(values.from) }));
  else if (command === "approve") await runs.answer(runId, { approve: true });
  else if (command === "deny") await runs.answer(runId, { approve: false, reason: extra });
  else if (command === "cancel") await runs.cancel(runId);
  else {
    console.error(USAGE);
    Deno.exitCode = 2;
  }
} finally {
  await runs.close();
}
