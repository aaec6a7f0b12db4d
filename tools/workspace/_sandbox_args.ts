import { lstat, readlink } from "node:fs/promises";
import { dirname } from "node:path";
import process from "node:process";
import { detectSandbox, SANDBOX_MODES, type SandboxMode } from "./detect_sandbox.ts";

/**
 * Whether a command runs in the sandbox under `mode`.
 *
 * @throws {Error} When `mode` is `"bwrap"` and bubblewrap cannot run.
 */
export async function useSandbox(mode: SandboxMode): Promise<boolean> {
  if (mode === "none") return false;
  if (!SANDBOX_MODES.includes(mode)) {
    throw new TypeError(
      `Cannot run command: 'sandbox' must be "auto", "bwrap" or "none", got ${
        JSON.stringify(mode)
      }`,
    );
  }
  const status = await detectSandbox();
  if (status.available) return true;
  if (mode === "auto") return false;
  throw new Error(
    `Cannot run the command in the sandbox: ${status.reason}; install bubblewrap or choose sandbox "none"`,
  );
}

/** The read-only system folders of the sandbox (those that exist here). */
const SYSTEM_FOLDERS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/etc",
  "/opt",
];

/** Where commands see their home and temp folder inside the sandbox (a private tmpfs). */
export const SANDBOX_HOME = "/tmp/home";
/** The sandbox's private temp folder. */
export const SANDBOX_TMP = "/tmp";

/** What the sandbox mounts besides the system. */
export interface SandboxLayout {
  /** Mounted read-write at the same path. */
  readonly workspace: string;
  /** The command's working folder. */
  readonly cwd: string;
  /** Extra folders visible read-only (a bundle tool's own folder). */
  readonly readOnly?: readonly string[];
  /** Keep the network. @default false */
  readonly network?: boolean;
}

/**
 * bubblewrap's arguments: the system read-only, a private /tmp holding the
 * home, no other home or user folder, the runtime's own folder read-only
 * (so `deno`/`node` run), the workspace read-write, every namespace
 * unshared (no network unless asked), killed with its parent.
 */
export async function bwrapArgs(layout: SandboxLayout): Promise<string[]> {
  const { workspace, cwd, readOnly = [], network = false } = layout;
  const args = ["--die-with-parent", "--unshare-all"];
  if (network) args.push("--share-net");
  for (const folder of SYSTEM_FOLDERS) {
    const info = await lstat(folder).catch(() => undefined);
    if (info?.isSymbolicLink()) args.push("--symlink", await readlink(folder), folder);
    else if (info?.isDirectory()) args.push("--ro-bind", folder, folder);
  }
  if (network) args.push("--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve");
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", SANDBOX_TMP, "--dir", SANDBOX_HOME);
  for (const folder of [dirname(process.execPath), ...readOnly]) {
    args.push("--ro-bind", folder, folder);
  }
  args.push("--bind", workspace, workspace, "--chdir", cwd);
  return args;
}
