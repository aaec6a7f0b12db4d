/**
 * Throw this from a tool when the caller (the model) gave input the tool can
 * not use. The message goes to the model verbatim, classified as
 * `validation`, so it can correct the call.
 *
 * @example
 * ```ts
 * import { ToolInputError } from "jsr:@looplet/looplet";
 * function readLine(line: number): string {
 *   if (line < 1) throw new ToolInputError(`Line numbers start at 1, got ${line}`);
 *   return "…";
 * }
 * ```
 */
export class ToolInputError extends Error {
  /**
   * Make the error.
   *
   * @param message What is wrong and how to fix it, for the model.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ToolInputError";
  }
}
