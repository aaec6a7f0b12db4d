import { type ChildProcess, spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { clip } from "./_json_lines.ts";

/** How a server ended: an exit code, or the signal that killed it. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** The running child as the protocols use it: its id and its stdio as web streams. */
export interface ServerChild {
  readonly pid: number;
  /** The child's stdin (throws when it was started with `stdin: "null"`). */
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
}

/** A spawned protocol server: its process, stdio, captured stderr, and teardown. */
export interface ServerProcess {
  /** The child. */
  readonly child: ServerChild;
  /** Resolves with the exit status. */
  readonly status: Promise<ServerExit>;
  /** True once the process has exited. */
  exited(): boolean;
  /** The last lines the server wrote to stderr. */
  stderrTail(): string;
  /** One line saying how the process ended (for messages). */
  describeEnd(): Promise<string>;
  /** Stop it: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  terminate(graceMs?: number): Promise<void>;
}

/** Start a server; rejects with an Error saying why when the program cannot start. */
export async function spawnServer(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string>; stdin: "piped" | "null" },
): Promise<ServerProcess> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("cannot start a server: its command is empty");
  const cannotStart = (error: unknown) =>
    new Error(`cannot start "${program}" (${(error as Error).message})`);
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === "piped" ? "pipe" : "ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw cannotStart(error);
  }
  const exit = new Promise<ServerExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // Write errors (EPIPE once the server is gone) reach the writer of `stdin`.
  child.stdin?.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    let spawned = false;
    // Before "spawn" an error means the program never ran; after it, a failed kill (ignored).
    child.on("error", (error) => {
      if (!spawned) reject(cannotStart(error));
    });
    child.once("spawn", () => {
      spawned = true;
      resolve();
    });
  });
  const stdin = child.stdin === null ? undefined : Writable.toWeb(child.stdin);
  const stdout = Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>;
  const view: ServerChild = {
    pid: child.pid!,
    get stdin() {
      if (stdin === undefined) throw new TypeError(`the stdin of "${program}" is not piped`);
      return stdin;
    },
    stdout,
  };
  let tail = "";
  let done = false;
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr! as AsyncIterable<Uint8Array>) {
        tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
      }
    } catch {
      // The pipe closed.
    }
  })();
  const status = exit.then(async (value) => {
    done = true;
    await stderrDone;
    return value;
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  const stderrTail = () => tail.trim().split("\n").slice(-3).join(" | ");
  return {
    child: view,
    status,
    exited: () => done,
    stderrTail,
    async describeEnd() {
      const result = await status;
      const how = result.signal
        ? `was killed by ${result.signal}`
        : `exited with code ${result.code}`;
      const said = stderrTail();
      return `${how}${said ? `: ${clip(said, 300)}` : ""}`;
    },
    async terminate(graceMs = 2000) {
      if (!done) {
        kill("SIGTERM");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = await Promise.race([
          status.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
        ]);
        clearTimeout(timer);
        if (late) kill("SIGKILL");
      }
      await status;
      try {
        await stdout.cancel();
      } catch {
        // Already consumed.
      }
    },
  };
}
