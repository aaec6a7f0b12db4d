import { clip } from "./_json_lines.ts";

/** A spawned protocol server: its process, stdio, captured stderr, and teardown. */
export interface ServerProcess {
  /** The child. */
  readonly child: Deno.ChildProcess;
  /** Resolves with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;
  /** True once the process has exited. */
  exited(): boolean;
  /** The last lines the server wrote to stderr. */
  stderrTail(): string;
  /** One line saying how the process ended (for messages). */
  describeEnd(): Promise<string>;
  /** Stop it: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  terminate(graceMs?: number): Promise<void>;
}

/** Start a server; throws an Error saying why when the program cannot start. */
export function spawnServer(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string>; stdin: "piped" | "null" },
): ServerProcess {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("cannot start a server: its command is empty");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      cwd: options.cwd,
      env: options.env,
      clearEnv: true,
      stdin: options.stdin,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new Error(`cannot start "${program}" (${(error as Error).message})`);
  }
  let tail = "";
  let done = false;
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
      }
    } catch {
      // The pipe closed.
    }
  })();
  const status = child.status.then(async (value) => {
    done = true;
    await stderrDone;
    return value;
  });
  const stderrTail = () => tail.trim().split("\n").slice(-3).join(" | ");
  return {
    child,
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
        try {
          child.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = await Promise.race([
          status.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
        ]);
        clearTimeout(timer);
        if (late) {
          try {
            child.kill("SIGKILL");
          } catch {
            // Already gone.
          }
        }
      }
      await status;
      try {
        await child.stdout.cancel();
      } catch {
        // Already consumed.
      }
    },
  };
}
