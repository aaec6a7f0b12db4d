import { detectSandbox } from "../../../../tools/workspace/detect_sandbox.ts";

/** Whether bubblewrap runs here; tests that need it are ignored with this reason printed once. */
export const SANDBOX = await detectSandbox();

if (!SANDBOX.available) {
  console.log(`SKIPPED sandbox tests: ${SANDBOX.reason}`);
}
