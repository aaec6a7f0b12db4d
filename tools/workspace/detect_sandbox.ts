import { spawn } from "node:child_process";
import process from "node:process";

/**
 * How command tools are confined. `"bwrap"`: always in a bubblewrap sandbox
 * (a command fails when bubblewrap cannot run); `"auto"`: in the sandbox when
 * bubblewrap works here, otherwise unconfined (callers say so once, see
 * {@linkcode detectSandbox}); `"none"`: unconfined.
 *
 * @example Pick the mode from a flag
 * ```ts
 * import type { SandboxMode } from "jsr:@looplet/looplet/workspace";
 * const mode: SandboxMode = "auto";
 * ```
 */
export type SandboxMode = "auto" | "bwrap" | "none";

/**
 * The sandbox modes, for validating flags and configuration.
 *
 * @example Validate a flag
 * ```ts
 * import { SANDBOX_MODES } from "jsr:@looplet/looplet/workspace";
 * SANDBOX_MODES.includes("bwrap"); // true
 * ```
 */
export const SANDBOX_MODES: readonly SandboxMode[] = Object.freeze(["auto", "bwrap", "none"]);

/**
 * Whether the bubblewrap sandbox can run on this machine, and why not.
 *
 * @example Say once why commands run unconfined
 * ```ts ignore
 * const status = await detectSandbox();
 * if (!status.available) console.warn(`sandbox unavailable: ${status.reason}`);
 * ```
 */
export interface SandboxStatus {
  /** True when `bwrap` started a sandbox. */
  readonly available: boolean;
  /** What was found: the reason it cannot run, or that it works. */
  readonly reason: string;
}

let detected: Promise<SandboxStatus> | undefined;

function probe(): Promise<SandboxStatus> {
  if (process.platform !== "linux") {
    return Promise.resolve({
      available: false,
      reason: `the sandbox needs Linux with bubblewrap; this is ${process.platform}`,
    });
  }
  return new Promise((resolvePromise) => {
    const args = ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"];
    const child = spawn("bwrap", [...args, "--proc", "/proc", "--dev", "/dev", "true"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: {},
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    // A hung probe must not hang every command: give up after 10 s.
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      const missing = (error as { code?: string }).code === "ENOENT";
      resolvePromise({
        available: false,
        reason: missing
          ? 'bubblewrap is not installed (install it with "apt-get install -y bubblewrap")'
          : `bubblewrap cannot be started: ${error.message}`,
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const detail = stderr.trim().split("\n")[0] || `exit code ${code}`;
      resolvePromise(
        code === 0 ? { available: true, reason: "bubblewrap works" } : {
          available: false,
          reason:
            `bubblewrap cannot create a sandbox here (${detail}); unprivileged user namespaces may be disabled`,
        },
      );
    });
  });
}

/**
 * Find out once per process whether bubblewrap can sandbox commands here
 * (Linux, `bwrap` installed, user namespaces allowed). `sandbox: "auto"`
 * uses the answer; callers that print (the CLI) say once what it means
 * when the answer is no.
 *
 * @returns Availability and the reason.
 * @example
 * ```ts ignore
 * import { detectSandbox } from "jsr:@looplet/looplet/workspace";
 * const { available, reason } = await detectSandbox();
 * ```
 */
export function detectSandbox(): Promise<SandboxStatus> {
  detected ??= probe();
  return detected;
}
