/**
 * A checkpoint could not be read, written or used. `file` names the
 * checkpoint file (or the source given to the decoder).
 *
 * @example Tell the user which file is bad
 * ```ts ignore
 * try {
 *   decodeCheckpoint(JSON.parse(text), "run/ckpt-00000003.json");
 * } catch (error) {
 *   if (error instanceof CheckpointError) console.error(error.file, error.message);
 * }
 * ```
 */
export class CheckpointError extends Error {
  /** The file or source concerned. */
  readonly file: string;

  /**
   * Make the error.
   *
   * @param message What is wrong and what to do.
   * @param file The file or source concerned.
   * @param options The underlying cause, if any.
   */
  constructor(message: string, file: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "CheckpointError";
    this.file = file;
  }
}
