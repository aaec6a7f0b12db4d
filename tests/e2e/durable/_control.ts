// A third process for the durable e2e tests:
//   deno run -A _control.ts answer <runId> yes|no   |   _control.ts cancel <runId>
import { connectRuns } from "../../../dbos/mod.ts";

const [command, runId = "", answer] = Deno.args;
const runs = await connectRuns({ databaseUrl: Deno.env.get("LOOPLET_TEST_DATABASE_URL")! });
try {
  if (command === "answer") {
    await runs.answer(
      runId,
      answer === "yes" ? { approve: true } : { approve: false, reason: "no from control" },
    );
  } else if (command === "cancel") await runs.cancel(runId);
  else throw new Error(`unknown command ${command}`);
} finally {
  await runs.close();
}
