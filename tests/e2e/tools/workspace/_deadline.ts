import type { AnyTool } from "../../../../loop/types.ts";
import type { BashResult } from "../../../../tools/workspace/bash_tool.ts";
import { call } from "../../../tools/workspace/_ctx.ts";

/** Reject when `promise` has not settled within `ms` (the test's own deadline), and clean up. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `command` through a bash tool, failing after `ms` (the test's own deadline). */
export async function bashWithin(ms: number, bash: AnyTool, command: string): Promise<BashResult> {
  return await within(ms, "bash", call(bash, { command })) as BashResult;
}
