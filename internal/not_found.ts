/** Whether a `node:fs` call failed because the path does not exist (private to the library). */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENOENT";
}
