import process from "node:process";
import type { Backend } from "../loop/types.ts";
import { LOOPLET_VERSION } from "../loop/version.ts";

/**
 * One doctor check.
 *
 * @example Print the checks and fail on errors
 * ```ts ignore
 * const checks = await doctorChecks(process.env, { backend: false });
 * for (const { name, status, detail } of checks) console.log(`${status.padEnd(5)} ${name}: ${detail}`);
 * if (checks.some((check) => check.status === "error")) process.exitCode = 1;
 * ```
 */
export interface DoctorCheck {
  /** What was checked. */
  readonly name: string;
  /** `ok`, `warn`, `error` or `skip`. */
  readonly status: "ok" | "warn" | "error" | "skip";
  /** What was found, and what to do. */
  readonly detail: string;
}

/**
 * Options of `doctorChecks`.
 *
 * @example Skip the endpoint check
 * ```ts ignore
 * const checks = await doctorChecks(process.env, { backend: false });
 * ```
 */
export interface DoctorOptions {
  /** Try the model endpoint. @default true */
  readonly backend?: boolean;
  /** Build a backend from the environment (injected). */
  readonly backendFromEnv?: (
    env: Readonly<Record<string, string | undefined>>,
    overrides: Record<string, never>,
  ) => Backend | Promise<Backend>;
  /** Probe native tool calls (injected). */
  readonly probeNativeTools?: (
    backend: Backend,
  ) => Promise<{ nativeTools: boolean; reason: string }>;
}

const MODEL_ENV = [
  ["OPENAI_BASE_URL", false],
  ["OPENAI_MODEL", false],
  ["OPENAI_API_KEY", true],
  ["ANTHROPIC_API_KEY", true],
] as const;

/**
 * Check the runtime, the model environment variables, and (when a backend
 * factory is injected) the endpoint and its native tool support. Secrets are
 * reported as set or unset, never printed.
 *
 * @param env The environment to inspect.
 * @param options Whether and how to try the endpoint.
 * @returns The checks, in order.
 * @example
 * ```ts ignore
 * const checks = await doctorChecks(process.env, { backend: false });
 * ```
 */
export async function doctorChecks(
  env: Readonly<Record<string, string | undefined>>,
  options: DoctorOptions = {},
): Promise<DoctorCheck[]> {
  const { backend = true, backendFromEnv, probeNativeTools } = options;
  const checks: DoctorCheck[] = [];
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  if (deno) checks.push({ name: "runtime", status: "ok", detail: `Deno ${deno.version.deno}` });
  else {
    const major = Number(process.versions.node?.split(".")[0] ?? 0);
    checks.push({
      name: "runtime",
      status: major >= 20 ? "ok" : "error",
      detail: major >= 20
        ? `Node ${process.versions.node}`
        : `Node ${process.versions.node} is too old; install Node 20 or newer, or use Deno`,
    });
  }
  checks.push({ name: "looplet", status: "ok", detail: LOOPLET_VERSION });
  for (const [name, secret] of MODEL_ENV) {
    const value = env[name];
    checks.push(
      value
        ? { name, status: "ok", detail: secret ? "set" : value }
        : { name, status: name === "ANTHROPIC_API_KEY" ? "skip" : "warn", detail: "not set" },
    );
  }
  if (!backend) {
    checks.push({ name: "endpoint", status: "skip", detail: "skipped (--no-backend)" });
    return checks;
  }
  if (!backendFromEnv) {
    checks.push({
      name: "endpoint",
      status: "skip",
      detail: "this build has no model backends; 'run --scripted' works without one",
    });
    return checks;
  }
  let llm: Backend;
  try {
    llm = await backendFromEnv(env, {});
    checks.push({ name: "endpoint", status: "ok", detail: `backend "${llm.name}" configured` });
  } catch (error) {
    checks.push({ name: "endpoint", status: "error", detail: (error as Error).message });
    return checks;
  }
  if (!probeNativeTools) {
    checks.push({ name: "native_tools", status: "skip", detail: "no probe in this build" });
    return checks;
  }
  try {
    const probe = await probeNativeTools(llm);
    checks.push({
      name: "native_tools",
      status: probe.nativeTools ? "ok" : "warn",
      detail: probe.nativeTools
        ? probe.reason
        : `${probe.reason}; runs will use the JSON-in-text tool protocol`,
    });
  } catch (error) {
    checks.push({
      name: "native_tools",
      status: "warn",
      detail: `probe failed: ${(error as Error).message}`,
    });
  }
  return checks;
}
