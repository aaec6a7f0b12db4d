/**
 * A data-cleaning agent with human approval, context compaction and
 * crash-safe checkpoints. It lists tables, pages through rows, asks before
 * deleting inactive users, then reports.
 *
 *   deno run -A examples/data_agent.ts --scripted --auto-approve
 *   deno run -A examples/data_agent.ts --scripted             # pauses before deleting
 *   deno run -A examples/data_agent.ts --scripted --resume --approve
 *   deno run -A examples/data_agent.ts --scripted --crash-after 4
 *   deno run -A examples/data_agent.ts --scripted --resume --auto-approve
 *
 * Options: `--dir DIR` (checkpoints and the demo database, default
 * `.looplet/data-agent`), `--deny REASON` (refuse the paused deletion).
 * Only a scripted model is wired in (no network needed): `--scripted`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  composableLoop,
  type LoopState,
  type ModelRequest,
  type ModelTurn,
  ScriptedBackend,
  tool,
} from "../mod.ts";
import {
  approvalHook,
  type ApprovalRequest,
  checkpointHook,
  compactChain,
  compactionHook,
  FileCheckpointStore,
  pruneToolResults,
  redactSecrets,
  summarizeTurns,
  truncateTranscript,
} from "../hooks/mod.ts";

const TASK = "Remove inactive users from the database, then report how many users remain";
const USAGE = "usage: deno run -A examples/data_agent.ts --scripted [--auto-approve] " +
  "[--resume [--approve | --deny REASON]] [--crash-after N] [--dir DIR]";

interface Row {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly active: boolean;
}
type Database = Record<"users" | "orders", Row[]>;

function seed(): Database {
  const users = Array.from({ length: 40 }, (_, i) => ({
    id: i + 1,
    name: `user-${i + 1}`,
    email: `user${i + 1}@example.com`,
    active: i % 4 !== 0,
  }));
  const orders = Array.from({ length: 30 }, (_, i) => ({
    id: 1000 + i,
    name: `order-${i}`,
    email: `user${(i % 40) + 1}@example.com`,
    active: true,
  }));
  return { users, orders };
}

/** The demo database, kept in a JSON file so a resumed process sees earlier deletions. */
class DemoDatabase {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  read(): Database {
    try {
      return JSON.parse(Deno.readTextFileSync(this.file));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      const data = seed();
      this.write(data);
      return data;
    }
  }

  write(data: Database): void {
    Deno.writeTextFileSync(`${this.file}.tmp`, JSON.stringify(data));
    Deno.renameSync(`${this.file}.tmp`, this.file);
  }
}

function dataTools(db: DemoDatabase) {
  const table = z.enum(["users", "orders"]).describe("Table name");
  return [
    tool({
      name: "list_tables",
      description: "List the tables and their row counts.",
      input: z.object({}),
      concurrencySafe: true,
      execute: () =>
        Object.fromEntries(Object.entries(db.read()).map(([name, rows]) => [name, rows.length])),
    }),
    tool({
      name: "query_rows",
      description: "Read one page (10 rows) of a table.",
      input: z.object({ table, page: z.number().int().min(1) }),
      concurrencySafe: true,
      execute: ({ table, page }) => {
        const rows = db.read()[table];
        return { rows: rows.slice((page - 1) * 10, page * 10), total: rows.length, page };
      },
    }),
    tool({
      name: "count_rows",
      description: "Count the rows of a table.",
      input: z.object({ table }),
      concurrencySafe: true,
      execute: ({ table }) => ({ table, count: db.read()[table].length }),
    }),
    tool({
      name: "delete_rows",
      description: "Delete rows of a table that match a filter. Needs a human's approval.",
      input: z.object({ table, where: z.literal("inactive") }),
      execute: ({ table }) => {
        const data = db.read();
        const before = data[table].length;
        data[table] = data[table].filter((row) => row.active);
        db.write(data);
        return { deleted: before - data[table].length };
      },
    }),
  ];
}

/**
 * The scripted model: what a real model would do, as a pure function of the
 * latest tool result in the transcript (so any process, after compaction or a
 * crash, answers the same way).
 */
function plan(request: ModelRequest): ModelTurn {
  const messages = request.messages;
  const lastTool = [...messages].reverse().find((message) => message.role === "tool");
  const lastCall = [...messages].reverse().flatMap((message) => message.toolCalls ?? [])
    .find((call) => call.id === lastTool?.toolCallId);
  const usage = {
    inputTokens: Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4),
    outputTokens: 20,
  };
  const say = (name: string, args: Record<string, unknown>, reasoning: string): ModelTurn => ({
    text: reasoning,
    toolCalls: [{ id: `${name}-${JSON.stringify(args)}`, name, args, reasoning }],
    usage,
  });
  if (lastTool === undefined || lastCall === undefined) {
    return say("list_tables", {}, "First, see which tables exist");
  }
  const args = lastCall.args as { table?: string; page?: number };
  switch (lastCall.name) {
    case "list_tables":
      return say("query_rows", { table: "users", page: 1 }, "Look at the users");
    case "query_rows":
      if (args.table === "users" && (args.page ?? 1) < 4) {
        return say("query_rows", { table: "users", page: (args.page ?? 1) + 1 }, "Next page");
      }
      if (args.table === "users") {
        return say("query_rows", { table: "orders", page: 1 }, "Check orders reference users");
      }
      if ((args.page ?? 1) < 3) {
        return say("query_rows", { table: "orders", page: (args.page ?? 1) + 1 }, "Next page");
      }
      return say("delete_rows", { table: "users", where: "inactive" }, "Delete inactive users");
    case "delete_rows":
      if (lastTool.isError) {
        return say("done", { answer: `Nothing deleted: ${lastTool.content}` }, "Deletion refused");
      }
      return say("count_rows", { table: "users" }, "Verify what remains");
    case "count_rows": {
      const { count } = JSON.parse(lastTool.content) as { count: number };
      return say("done", { answer: `Deleted the inactive users; ${count} users remain` }, "Done");
    }
    default:
      return say("list_tables", {}, "Start over");
  }
}

/** The cheaper summariser (scripted too): a short summary of what it was shown. */
function summarise(request: ModelRequest): ModelTurn {
  const text = request.messages[0]?.content ?? "";
  const pages = text.match(/query_rows\(\{[^)]*\}\)/g) ?? [];
  return { text: `Read ${pages.length} pages of rows; inactive users have active=false.` };
}

function askOnTerminal(
  { call, reason }: ApprovalRequest,
  interactive: boolean,
): boolean | "pause" {
  if (!interactive) return "pause";
  const answer = prompt(`${reason}: ${call.name}(${JSON.stringify(call.args)}). Approve? [y/N]`);
  return answer === null ? "pause" : /^y(es)?$/i.test(answer.trim());
}

/**
 * Run the example.
 *
 * @param args Command-line arguments.
 * @param options `interactive`: ask approvals on the terminal (default: when stdin is one).
 * @returns The exit code: 0 done or paused, 1 failed, 2 usage error.
 */
export async function main(
  args: string[],
  options: { interactive?: boolean } = {},
): Promise<number> {
  const { interactive = Deno.stdin.isTerminal() } = options;
  let flags;
  try {
    flags = parseArgs({
      args,
      options: {
        scripted: { type: "boolean" },
        "auto-approve": { type: "boolean" },
        resume: { type: "boolean" },
        approve: { type: "boolean" },
        help: { type: "boolean" },
        dir: { type: "string" },
        deny: { type: "string" },
        "crash-after": { type: "string" },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!flags.scripted) {
    console.error(`This example only ships a scripted model; pass --scripted\n${USAGE}`);
    return 2;
  }
  if (flags.approve && flags.deny !== undefined) {
    console.error(`Pass --approve or --deny, not both\n${USAGE}`);
    return 2;
  }
  const crashAfter = flags["crash-after"] === undefined ? undefined : Number(flags["crash-after"]);
  if (crashAfter !== undefined && !(Number.isInteger(crashAfter) && crashAfter > 0)) {
    console.error(`--crash-after must be a positive integer\n${USAGE}`);
    return 2;
  }
  const dir = flags.dir ?? ".looplet/data-agent";
  Deno.mkdirSync(dir, { recursive: true });
  const redact = redactSecrets();
  const store = new FileCheckpointStore(`${dir}/checkpoints`, {
    redact,
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  const db = new DemoDatabase(`${dir}/database.json`);

  let resume: LoopState | undefined;
  if (flags.resume) {
    resume = await store.latest({ task: TASK });
    if (resume === undefined) console.log("No checkpoint to resume; starting a new run");
    else if (resume.stopReason === "done") {
      console.log(`That run already finished: ${JSON.stringify(resume.finalAnswer)}`);
      return 0;
    } else {
      console.log(`Resuming after step ${resume.steps.length} (turn ${resume.turn})`);
    }
  } else {
    await store.clear(); // a new run: forget the previous run's checkpoints and data
    try {
      Deno.removeSync(db.file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  let approval: { approve: true } | { approve: false; reason: string } | undefined;
  if (resume?.pending !== undefined) {
    if (flags.approve || flags["auto-approve"]) approval = { approve: true };
    else if (flags.deny !== undefined) approval = { approve: false, reason: flags.deny };
    else {
      const answer = askOnTerminal({
        call: resume.pending.call,
        step: resume.pending.step,
        reason: resume.pending.reason,
        signal: new AbortController().signal,
      }, interactive);
      if (answer === "pause") {
        console.error("The run is waiting for approval; pass --approve or --deny REASON");
        return 2;
      }
      approval = answer ? { approve: true } : { approve: false, reason: "refused at the prompt" };
    }
  }

  const compaction = compactionHook({
    budget: 1500,
    strategy: compactChain(
      pruneToolResults({ keepRecent: 2 }),
      summarizeTurns({
        llm: new ScriptedBackend(Array.from({ length: 50 }, () => summarise), { name: "cheap" }),
        keepRecent: 4,
      }),
      truncateTranscript({ keepRecent: 4 }),
    ),
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  const run = composableLoop({
    llm: new ScriptedBackend(Array.from({ length: 50 }, () => plan), { recordRequests: false }),
    tools: dataTools(db),
    task: TASK,
    maxSteps: 20,
    resume,
    approval,
    hooks: [
      approvalHook({
        tools: ["delete_rows"],
        reason: () => "Deleting rows cannot be undone",
        ask: (request) => flags["auto-approve"] ? true : askOnTerminal(request, interactive),
      }),
      compaction,
      checkpointHook(store),
    ],
  });
  for await (const step of run) {
    console.log(step.pretty());
    if (crashAfter !== undefined && step.number >= crashAfter) {
      console.log(`Simulating a crash after step ${step.number}; resume with --resume`);
      Deno.exit(137); // no cleanup, like a kill: the checkpoint of this step is already on disk
    }
  }
  const outcome = await run.outcome;
  for (const record of compaction.compactions) {
    console.log(
      `compacted before turn ${record.turn}: ${record.before} → ${record.after} tokens (${record.reason})`,
    );
  }
  console.log(`stop: ${outcome.stopReason} after ${outcome.steps} steps`);
  if (outcome.stopReason === "awaiting_approval") {
    console.log(
      `Paused: ${outcome.pending?.reason}. Checkpoint saved in ${store.directory}.\n` +
        "Resume with: deno run -A examples/data_agent.ts --scripted --resume --approve" +
        ` (or --deny "reason")${flags.dir ? ` --dir ${flags.dir}` : ""}`,
    );
    return 0;
  }
  if (outcome.stopReason !== "done") {
    console.error(`The run failed: ${outcome.error?.message ?? outcome.stopReason}`);
    return 1;
  }
  console.log(`answer: ${outcome.finalAnswer}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
