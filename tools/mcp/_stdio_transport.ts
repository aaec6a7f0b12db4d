import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import process from "node:process";
import { McpError } from "./mcp_error.ts";
import {
  type JsonRpcMessage,
  parseMessages,
  tooLong,
  type Transport,
  type TransportEvents,
} from "./_json_rpc.ts";

/** What the stdio transport needs. */
export interface StdioTransportOptions {
  readonly server: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  /** Called with each line the server writes to stderr. */
  readonly onStderr?: (line: string) => void;
  /** Wait this long for the process to exit after stdin closes, then SIGTERM, then SIGKILL. */
  readonly closeGraceMs: number;
  /** Most bytes one line of stdout may hold. */
  readonly maxMessageBytes: number;
}

const STDERR_KEEP = 8 * 1024;
/** A stderr line is only kept in part: reading more of it is pointless. */
const STDERR_LINE_KEEP = 8 * 1024;
/** The child gets its own process group, so that a wrapper's children can be ended with it. */
const OWN_GROUP = process.platform !== "win32";
const NOISE_KEEP = 5;

/** How the child ended: an exit code, or the signal that killed it. */
interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** Newline-delimited JSON-RPC over a child process's stdin and stdout. */
export class StdioTransport implements Transport {
  readonly #options: StdioTransportOptions;
  #child: ChildProcessWithoutNullStreams | undefined;
  /** Settles when the child has exited (its pipes may still be open). */
  #status: Promise<ExitStatus> | undefined;
  #readers: Promise<void>[] = [];
  #stderr = "";
  #noise: string[] = [];
  #closing = false;
  #closed: Promise<void> | undefined;
  #exit: ExitStatus | undefined;
  #failed: Error | undefined;
  /** Settles with the error of `#fail` (the process exited, its pipes broke). */
  readonly #failure = Promise.withResolvers<Error>();
  #events: TransportEvents | undefined;
  readonly #encoder = new TextEncoder();

  constructor(options: StdioTransportOptions) {
    this.#options = options;
  }

  start(events: TransportEvents): Promise<void> {
    const { server, command, args, env, cwd } = this.#options;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(command, [...args], {
        env,
        ...(cwd !== undefined ? { cwd } : {}),
        stdio: "pipe",
        detached: OWN_GROUP,
      });
    } catch (error) {
      return Promise.reject(spawnError(server, command, cwd, env, error));
    }
    const status = new Promise<ExitStatus>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    // Write errors (EPIPE once the server is gone) reach send() through the write callback.
    child.stdin.on("error", () => {});
    return new Promise((resolve, reject) => {
      let spawned = false;
      // Before "spawn" an error means the program never ran; after it, a failed kill (ignored).
      child.on("error", (error) => {
        if (!spawned) reject(spawnError(server, command, cwd, env, error));
      });
      child.once("spawn", () => {
        spawned = true;
        this.#attach(child, status, events);
        resolve();
      });
    });
  }

  #attach(
    child: ChildProcessWithoutNullStreams,
    status: Promise<ExitStatus>,
    events: TransportEvents,
  ): void {
    const { server } = this.#options;
    this.#child = child;
    this.#status = status;
    this.#events = events;
    this.#readers = [
      this.#readStdout(child.stdout, events),
      this.#readStderr(child.stderr),
    ];
    status.then(async (exit) => {
      this.#exit = exit;
      if (this.#closing) return;
      // A wrapper (npx, sh -c) may have died while the server it started
      // holds the pipes: end the whole group, so the pipes close and every
      // line already written is still delivered.
      await this.#endGroup();
      this.#fail(
        new McpError(
          server,
          `MCP server "${server}" exited (${describeExit(exit)})${this.diagnostics()}`,
        ),
      );
    });
  }

  /** The connection is unusable: tell the session once, and release everything. */
  #fail(error: Error): void {
    if (this.#failed !== undefined || this.#closing) return;
    this.#failed = error;
    this.#failure.resolve(error);
    this.#events?.dropped(error);
    this.close().catch(() => {});
  }

  /** SIGTERM the child's group, then SIGKILL it, until its pipes are closed. */
  async #endGroup(): Promise<void> {
    const readers = Promise.allSettled(this.#readers);
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      killGroup(this.#child!, signal);
      if (await settlesWithin(readers, this.#options.closeGraceMs)) return;
    }
    await readers;
  }

  async #readStdout(stream: AsyncIterable<Uint8Array>, events: TransportEvents): Promise<void> {
    const { server, maxMessageBytes } = this.#options;
    try {
      for await (const line of lines(stream, maxMessageBytes)) {
        if (line === undefined) throw tooLong(server, maxMessageBytes);
        if (line.trim() === "") continue;
        const messages = parseMessages(line);
        if (messages === undefined) {
          // The spec forbids this, but many servers print a banner: keep the line for messages.
          if (this.#noise.length < NOISE_KEEP) this.#noise.push(line.slice(0, 200));
          continue;
        }
        for (const message of messages) events.message(message);
      }
    } catch (error) {
      this.#fail(
        error instanceof McpError ? error : new McpError(
          server,
          `Cannot read from MCP server "${server}": ${(error as Error).message}`,
          { cause: error },
        ),
      );
      return;
    }
    // The process usually exits at the same moment; its exit status says more.
    const exited = await settlesWithin(this.#status!, this.#options.closeGraceMs);
    if (!exited && !this.#closing) {
      this.#fail(
        new McpError(
          server,
          `MCP server "${server}" closed its stdout while still running${this.diagnostics()}`,
        ),
      );
    }
  }

  async #readStderr(stream: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const line of lines(stream, STDERR_LINE_KEEP, true)) {
        if (line === undefined) continue;
        this.#stderr = (this.#stderr + line + "\n").slice(-STDERR_KEEP);
        try {
          this.#options.onStderr?.(line);
        } catch {
          // a failing listener must not stop the capture
        }
      }
    } catch {
      // the pipe broke: what was captured stays
    }
  }

  async send(message: JsonRpcMessage): Promise<void> {
    const stdin = this.#child?.stdin;
    // Exited but not yet reported (its group is being ended): fail with the drop
    // itself, so the session sees a dropped connection it may reopen.
    if (this.#exit !== undefined && !this.#closing) throw await this.#failure.promise;
    if (
      stdin === undefined || this.#closing || this.#exit !== undefined ||
      this.#failed !== undefined
    ) {
      throw new McpError(
        this.#options.server,
        `Cannot write to MCP server "${this.#options.server}": its process is not running`,
      );
    }
    try {
      await write(stdin, this.#encoder.encode(JSON.stringify(message) + "\n"));
    } catch (error) {
      throw new McpError(
        this.#options.server,
        `Cannot write to MCP server "${this.#options.server}": ${
          (error as Error).message
        }${this.diagnostics()}`,
        { cause: error },
      );
    }
  }

  setProtocolVersion(): void {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  stderr(): string {
    return this.#stderr;
  }

  diagnostics(): string {
    const parts: string[] = [];
    if (this.#noise.length > 0) {
      parts.push(
        `it wrote lines to stdout that are not JSON-RPC (a stdio server must log to stderr): ${
          this.#noise.map((line) => JSON.stringify(line)).join(", ")
        }`,
      );
    }
    const stderr = this.#stderr.trim();
    if (stderr !== "") parts.push(`stderr: ${stderr.slice(-1000)}`);
    return parts.length > 0 ? `; ${parts.join("; ")}` : "";
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    const status = this.#status;
    if (child === undefined || status === undefined) return;
    // The spec's order: close stdin, wait, SIGTERM, wait, SIGKILL.
    child.stdin.end();
    if (!(await settlesWithin(status, this.#options.closeGraceMs))) {
      kill(child, "SIGTERM");
      if (!(await settlesWithin(status, this.#options.closeGraceMs))) kill(child, "SIGKILL");
    }
    await status;
    // Whatever the child started and left behind (a wrapper's server) goes too.
    await this.#endGroup();
  }
}

/** Write `bytes` to `stdin`; settles once they are handed to the pipe. */
function write(stdin: ChildProcessWithoutNullStreams["stdin"], bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stdin.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

function kill(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `killed by ${status.signal}` : `exit code ${status.code}`;
}

function spawnError(
  server: string,
  command: string,
  cwd: string | undefined,
  env: Record<string, string>,
  error: unknown,
): Error {
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (code === "ENOENT") {
    const where = cwd !== undefined ? ` (cwd "${cwd}")` : "";
    const path = env.PATH === undefined
      ? "the server's environment has no PATH; pass one in 'env' or use an absolute path"
      : `searched PATH=${JSON.stringify(env.PATH)}`;
    return new McpError(
      server,
      `Cannot start MCP server "${server}": command "${command}" was not found${where}; ${path}`,
      { cause: error },
    );
  }
  // Deno refuses a program outside --allow-run with these errors.
  if (name === "NotCapable" || name === "PermissionDenied") {
    return new McpError(
      server,
      `Cannot start MCP server "${server}": not allowed to run "${command}"; grant --allow-run=${command}`,
      { cause: error },
    );
  }
  return new McpError(
    server,
    `Cannot start MCP server "${server}": ${(error as Error).message}`,
    { cause: error },
  );
}

/** Signal the child's process group (the child alone where there are no groups). */
function killGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  try {
    if (OWN_GROUP) process.kill(-child.pid!, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * Split a byte stream into UTF-8 lines (without the newline). A line longer
 * than `limit` bytes yields undefined, or its first `limit` bytes when
 * `truncate` is set. Each byte is looked at once however the lines are cut.
 */
export async function* lines(
  stream: AsyncIterable<Uint8Array>,
  limit: number,
  truncate = false,
): AsyncGenerator<string | undefined> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  let over = false;
  const take = (last: Uint8Array): string => {
    let bytes = last;
    if (parts.length > 0) {
      bytes = new Uint8Array(size + last.byteLength);
      let offset = 0;
      for (const part of [...parts, last]) {
        bytes.set(part, offset);
        offset += part.byteLength;
      }
    }
    parts = [];
    size = 0;
    const end = bytes.byteLength > 0 && bytes[bytes.byteLength - 1] === 13 ? -1 : undefined;
    return decoder.decode(end === undefined ? bytes : bytes.subarray(0, end));
  };
  for await (const chunk of stream) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (over) {
        over = false;
        parts = [];
        size = 0;
        continue;
      }
      if (size + piece.byteLength > limit) {
        if (!truncate) return yield undefined;
        yield take(piece.subarray(0, Math.max(0, limit - size)));
        continue;
      }
      yield take(piece);
    }
    if (start < chunk.byteLength && !over) {
      const rest = chunk.slice(start);
      if (size + rest.byteLength > limit) {
        if (!truncate) return yield undefined;
        yield take(rest.subarray(0, Math.max(0, limit - size)));
        over = true; // skip the rest of this line
        continue;
      }
      parts.push(rest);
      size += rest.byteLength;
    }
  }
  if (size > 0) yield take(new Uint8Array(0));
}
