import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { Duplex } from "node:stream";
import { abortableDelay } from "../loop/abortable_delay.ts";
import { JsonLineChannel } from "./_json_lines.ts";
import { type ServerProcess, spawnServer } from "./_server_process.ts";

/**
 * One SSP (State Service Protocol) server to start.
 *
 * @example A greeting log in Python
 * ```ts
 * import type { StateServiceSpec } from "jsr:@looplet/looplet/cartridge";
 * const spec: StateServiceSpec = { name: "greetings", argv: ["python3", "_ssp/greetings.py"], timeoutMs: 10_000 };
 * ```
 */
export interface StateServiceSpec {
  /** Service name: the socket is exported to other servers as `LOOPLET_STATE_<NAME>`. */
  readonly name: string;
  /** The server command (it binds `$LOOPLET_STATE_SOCKET`). */
  readonly argv: readonly string[];
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long the server may take to bind its socket and answer `state/initialize`. */
  readonly timeoutMs: number;
}

/**
 * Running state services.
 *
 * @example Export the sockets to a tool server, then stop them
 * ```ts ignore
 * const services = await startStateServices([spec], { cwd: ".", env: {} });
 * try {
 *   console.log(services.env); // { LOOPLET_STATE_GREETINGS: "/tmp/looplet-ssp-.../greetings.sock" }
 *   console.log(await services.call("greetings", "names"));
 * } finally {
 *   await services.close();
 * }
 * ```
 */
export interface StateServices {
  /** `LOOPLET_STATE_<NAME>` for every service (give it to every child process). */
  readonly env: Readonly<Record<string, string>>;
  /** The methods each service listed in `state/initialize`. */
  readonly methods: ReadonlyMap<string, readonly string[]>;
  /** Call a method of a service from the host. */
  call(
    service: string,
    method: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
  ): Promise<unknown>;
  /** `state/shutdown` each service, stop the processes, remove the sockets. */
  close(): Promise<void>;
}

interface Running {
  readonly name: string;
  readonly dir: string;
  readonly server: ServerProcess;
  readonly connection: Socket;
  readonly channel: JsonLineChannel;
}

async function connectWhenBound(
  path: string,
  server: ServerProcess,
  deadline: number,
): Promise<Socket> {
  // The socket appears when the server binds it; until then, retry briefly.
  while (true) {
    try {
      return await connectUnix(path);
    } catch {
      if (server.exited()) {
        throw new Error(`exited before binding its socket: ${await server.describeEnd()}`);
      }
      if (Date.now() > deadline) throw new Error("never bound its socket ($LOOPLET_STATE_SOCKET)");
      await abortableDelay(20);
    }
  }
}

/** Connect to a Unix socket; rejects (ENOENT, ECONNREFUSED) while nothing listens on it. */
function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true }).catch(() => {});
}

/**
 * Start SSP servers, one per spec, in order: each gets `LOOPLET_STATE_SOCKET`
 * (the socket it must bind) plus the sockets of the services started before
 * it; the host connects and runs `state/initialize`. Wire: line-delimited
 * JSON over a Unix socket, `state/initialize` → `{ methods }`, `state/call`
 * `{ name, args, kwargs }` → `{ value }`, `state/shutdown` → `{ ok }`.
 *
 * @param specs The services.
 * @param options Working folder and base environment of the servers.
 * @returns The running services.
 * @throws {Error} Naming the service, when one cannot start, dies, or never answers (the others are stopped).
 * @example Start one state service
 * ```ts ignore
 * const services = await startStateServices([{ name: "log", argv: ["python3", "log.py"], timeoutMs: 10_000 }], { cwd: ".", env: {} });
 * ```
 */
export async function startStateServices(
  specs: readonly StateServiceSpec[],
  options: { cwd: string; env: Readonly<Record<string, string>> },
): Promise<StateServices> {
  const running: Running[] = [];
  const env: Record<string, string> = {};
  const methods = new Map<string, readonly string[]>();
  const close = async () => {
    await Promise.all(
      running.splice(0).map(async (service) => {
        if (service.channel.broken === undefined && !service.server.exited()) {
          await service.channel.request("state/shutdown", {}, 2000).catch(() => {});
        }
        service.channel.fail("closed");
        service.connection.destroy();
        await service.server.terminate();
        await service.channel.ended;
        await removeDir(service.dir);
      }),
    );
  };
  try {
    for (const spec of specs) {
      const dir = await mkdtemp(join(tmpdir(), "looplet-ssp-"));
      const socket = join(dir, `${spec.name}.sock`);
      let server: ServerProcess;
      try {
        server = await spawnServer(spec.argv, {
          cwd: options.cwd,
          env: { ...options.env, ...env, ...spec.env, LOOPLET_STATE_SOCKET: socket },
          stdin: "null",
        });
      } catch (error) {
        await removeDir(dir);
        throw new Error(`state service "${spec.name}": ${(error as Error).message}`);
      }
      let connection: Socket;
      try {
        connection = await connectWhenBound(socket, server, Date.now() + spec.timeoutMs);
      } catch (error) {
        await server.terminate();
        await removeDir(dir);
        throw new Error(`state service "${spec.name}" ${(error as Error).message}`);
      }
      // Drain stdout so a chatty server never blocks on a full pipe.
      server.child.stdout.pipeTo(new WritableStream()).catch(() => {});
      // A socket never written to again after a failure: its errors end the channel's streams.
      connection.on("error", () => {});
      const { readable, writable } = Duplex.toWeb(connection);
      const channel = new JsonLineChannel(readable as ReadableStream<Uint8Array>, writable, {
        onEnd: () => Promise.resolve("closed the connection"),
      });
      running.push({ name: spec.name, dir, server, connection, channel });
      try {
        const result = await channel.request("state/initialize", {}, spec.timeoutMs) as
          | { methods?: unknown }
          | null;
        methods.set(
          spec.name,
          Array.isArray(result?.methods) ? result.methods.map(String) : [],
        );
      } catch (error) {
        throw new Error(
          `state service "${spec.name}" ${(error as Error).message} (during state/initialize)`,
        );
      }
      env[`LOOPLET_STATE_${spec.name.toUpperCase()}`] = socket;
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    env,
    methods,
    async call(service, method, args = [], kwargs = {}) {
      const found = running.find((item) => item.name === service);
      if (!found) throw new Error(`no state service named "${service}"`);
      const result = await found.channel.request(
        "state/call",
        { name: method, args, kwargs },
        10_000,
      ) as
        | { value?: unknown }
        | null;
      return result?.value ?? null;
    },
    close,
  };
}
