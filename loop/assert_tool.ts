import type { Tool } from "./types.ts";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Check that a value is a well-formed tool; used by `tool()` and the loop.
 *
 * @param value The candidate tool.
 * @param where What is being checked, for the error message.
 * @throws {TypeError} or {RangeError} naming the field and the fix.
 */
export function assertToolShape(value: unknown, where: string): asserts value is Tool {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${where}: a tool must be an object made with tool(), got ${typeof value}`);
  }
  const candidate = value as Record<string, unknown>;
  const name = candidate.name;
  if (typeof name !== "string" || !TOOL_NAME.test(name)) {
    throw new TypeError(
      `${where}: tool 'name' must be 1-64 letters, digits, '_' or '-', got ${JSON.stringify(name)}`,
    );
  }
  if (typeof candidate.description !== "string" || candidate.description.trim() === "") {
    throw new TypeError(`${where}: tool "${name}" needs a non-empty 'description' for the model`);
  }
  const input = candidate.input as Record<string, unknown> | undefined;
  if (
    typeof input !== "object" || input === null || typeof input.safeParse !== "function" ||
    typeof input.toJSONSchema !== "function"
  ) {
    throw new TypeError(
      `${where}: tool "${name}" needs 'input', a Zod 4 schema such as z.object({ ... })`,
    );
  }
  if (typeof candidate.execute !== "function") {
    throw new TypeError(`${where}: tool "${name}" needs an 'execute(args, ctx)' function`);
  }
  const timeoutMs = candidate.timeoutMs;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
  ) {
    throw new RangeError(
      `${where}: tool "${name}" 'timeoutMs' must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  if (candidate.readOnly !== undefined && typeof candidate.readOnly !== "boolean") {
    throw new TypeError(`${where}: tool "${name}" 'readOnly' must be true or false`);
  }
  const onInterrupted = candidate.onInterrupted;
  if (onInterrupted !== undefined && onInterrupted !== "fail" && onInterrupted !== "retry") {
    throw new TypeError(
      `${where}: tool "${name}" 'onInterrupted' must be "fail" or "retry", got ${
        JSON.stringify(onInterrupted)
      }`,
    );
  }
  if (candidate.reconcile !== undefined && typeof candidate.reconcile !== "function") {
    throw new TypeError(`${where}: tool "${name}" 'reconcile' must be a function (args, ctx)`);
  }
}
