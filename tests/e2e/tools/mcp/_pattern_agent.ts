// Runs one loop step against the hostile server's "match" tool and prints the
// step's result as JSON. The test runs this in a subprocess with a deadline:
// a validator that blocked the event loop could not be stopped in place.
import { composableLoop, ScriptedBackend } from "../../../../mod.ts";
import { connectMcpServer } from "../../../../tools/mcp/mod.ts";

const [serverScript, word] = Deno.args;
const server = await connectMcpServer({ name: "hostile", command: "node", args: [serverScript!] });
try {
  const llm = new ScriptedBackend([
    ScriptedBackend.call("match", { word }),
    ScriptedBackend.call("done", { answer: "x" }),
  ]);
  const run = composableLoop({ llm, tools: await server.tools(), task: "match" });
  for await (const step of run) {
    console.log(JSON.stringify(step.result));
    break;
  }
} finally {
  await server.close();
}
