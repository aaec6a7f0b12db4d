/**
 * How a bundle's own module failed (private to bundles/): the error in one
 * line, and the failed import of an entrypoint or tool module with its fix.
 */
import process from "node:process";

/** An error as `Name: message`. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Why a module did not import, and the fix: a runtime that cannot load TypeScript is named. */
export function importFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_UNKNOWN_FILE_EXTENSION" && typeof process.versions.node === "string") {
    return `cannot be imported: Node ${process.versions.node} cannot load TypeScript; ` +
      "run it with Deno or Node 22.18 or newer (which strip types), or write the module as .mjs";
  }
  return `cannot be imported (${describeError(error).split("\n")[0]}); fix the module so it loads`;
}
