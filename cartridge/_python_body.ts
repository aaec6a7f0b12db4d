import { dirname } from "node:path";
import { runCommand } from "../tools/workspace/run_command.ts";
import { clip } from "./_json_lines.ts";
import { CartridgeSlotError } from "./cartridge_error.ts";

/**
 * The runner every Python body goes through: it imports the body file,
 * calls it with JSON from stdin, and prints one JSON envelope on stdout
 * (the body's own prints go to stderr). Modes: `describe` (single-file
 * tool dunders), `execute` (a tool's `execute(ctx, **args)`), `memory`
 * (a memory module's `load(state)`). `ctx.resources` holds `runtime`,
 * state-service proxies (SSP) and `resources/<name>.py` builds for the names
 * in `requires:`; `ctx.llm` talks to the host model over MGP when
 * `LOOPLET_LLM_SOCKET` is set, and is None otherwise.
 */
export const RUNNER: string = String.raw`
import asyncio, importlib.util, inspect, json, os, socket, sys

class _Remote:
    def __init__(self, path, prefix):
        self._path, self._prefix, self._sock, self._buf, self._id = path, prefix, None, b"", 0
    def _rpc(self, method, params):
        if self._sock is None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._sock.connect(self._path)
        self._id += 1
        self._sock.sendall((json.dumps({"id": self._id, "method": method, "params": params}) + "\n").encode())
        while b"\n" not in self._buf:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise RuntimeError(self._prefix + " server closed the connection")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        reply = json.loads(line)
        if reply.get("error"):
            raise RuntimeError(str(reply["error"].get("message", reply["error"])))
        return reply.get("result") or {}

class StateClient(_Remote):
    def __init__(self, path):
        super().__init__(path, "state service")
    def call(self, name, *args, **kwargs):
        return self._rpc("state/call", {"name": name, "args": list(args), "kwargs": kwargs}).get("value")
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

class ModelClient(_Remote):
    def __init__(self, path):
        super().__init__(path, "model gateway")
    def generate(self, prompt, **kwargs):
        return self._rpc("llm/generate", {"prompt": prompt, "kwargs": kwargs}).get("text", "")

def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

class Context:
    pass

def _context(payload):
    runtime = payload.get("runtime") or {}
    resources = {"runtime": runtime}
    for name in payload.get("requires") or []:
        socket_path = os.environ.get("LOOPLET_STATE_" + name.upper())
        if name == "runtime":
            continue
        if socket_path:
            resources[name] = StateClient(socket_path)
            continue
        path = (payload.get("resources") or {}).get(name)
        if path is None:
            raise KeyError("resource " + repr(name) + " is not available")
        build = getattr(_load(path, "looplet_resource_" + name), "build")
        try:
            resources[name] = build(runtime)
        except TypeError:
            resources[name] = build()
    ctx = Context()
    ctx.resources = resources
    ctx.runtime = runtime
    ctx.workspace = runtime.get("workspace")
    llm_socket = os.environ.get("LOOPLET_LLM_SOCKET")
    ctx.llm = ModelClient(llm_socket) if llm_socket else None
    return ctx

def _run(mode, path, payload):
    sys.path[:0] = [os.path.dirname(path), payload.get("cartridge_root") or os.path.dirname(path)]
    module = _load(path, "_looplet_body_")
    if mode == "describe":
        keys = ["__name__", "__description__", "__parameters__", "__requires__", "__render__",
                "__tags__", "__concurrent_safe__", "__free__", "__timeout_s__"]
        found = {key: getattr(module, key, None) for key in keys}
        if found["__name__"] == "_looplet_body_":
            found["__name__"] = None
        if found["__description__"] is None and module.__doc__:
            found["__description__"] = module.__doc__.strip()
        return found
    if mode == "memory":
        return str(module.load(payload.get("state") or {}))
    function = module.execute
    args = payload.get("args") or {}
    params = list(inspect.signature(function).parameters.values())
    takes_ctx = bool(params) and (params[0].name == "ctx" or (
        params[0].kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and params[0].name not in args))
    value = function(_context(payload), **args) if takes_ctx else function(**args)
    if inspect.isawaitable(value):
        value = asyncio.run(value)
    return value

def _main():
    mode, path = sys.argv[1], sys.argv[2]
    payload = json.loads(sys.stdin.read() or "{}")
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        envelope = {"ok": True, "value": _run(mode, path, payload)}
    except Exception as error:
        envelope = {"ok": False, "error": type(error).__name__ + ": " + str(error)}
    out.write(json.dumps(envelope, default=str))
    out.flush()

_main()
`;

/** How to run one Python body. */
export interface PythonRunOptions {
  /** The interpreter. */
  readonly python: string;
  /** Working folder. */
  readonly cwd: string;
  /** Extra environment (sockets). */
  readonly env?: Record<string, string>;
  /** Cancellation. */
  readonly signal?: AbortSignal;
  /** Timeout. */
  readonly timeoutMs?: number;
}

/** Run a Python body in `mode`; returns its value or throws an Error whose message the model can read. */
export async function runPythonBody(
  mode: "describe" | "execute" | "memory",
  file: string,
  payload: Record<string, unknown>,
  options: PythonRunOptions,
): Promise<unknown> {
  let run;
  try {
    run = await runCommand(options.python, ["-c", RUNNER, mode, file], {
      cwd: options.cwd,
      env: options.env ?? {},
      stdin: JSON.stringify(payload),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (error) {
    throw new Error(
      `cannot start "${options.python}" for ${file}: ${
        (error as Error).message
      }; install Python 3 or pass runtime python_executable`,
    );
  }
  if (run.timedOut) throw new Error(`${file} timed out after ${options.timeoutMs} ms`);
  let envelope: { ok?: boolean; value?: unknown; error?: string } | undefined;
  try {
    envelope = JSON.parse(run.stdout);
  } catch {
    envelope = undefined;
  }
  if (envelope === undefined || typeof envelope !== "object" || envelope === null) {
    const detail = clip(
      (run.stderr.trim() || run.stdout.trim()).split("\n").slice(-3).join(" | "),
      400,
    );
    throw new Error(`${file} exited with code ${run.exitCode} and no result: ${detail}`);
  }
  if (envelope.ok !== true) throw new Error(`${file}: ${envelope.error ?? "failed"}`);
  return envelope.value;
}

/** Read the dunders of a single-file tool (`tools/<name>.py`). */
export async function describeSingleFileTool(
  file: string,
  display: string,
  python: string,
): Promise<Record<string, unknown>> {
  try {
    const value = await runPythonBody(
      "describe",
      file,
      { cartridge_root: dirname(dirname(file)) },
      {
        python,
        cwd: dirname(file),
        timeoutMs: 30_000,
      },
    );
    return (value ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new CartridgeSlotError({
      file: display,
      message: `cannot be read (${(error as Error).message})`,
      fix:
        "make the module importable with python3 and set __name__, __description__, __parameters__",
    });
  }
}
