/**
 * Checking that a value is plain JSON: what every durable engine can journal
 * and give back unchanged (used by durable/ and dbos/).
 *
 * @module
 */

/**
 * Throw a TypeError naming `what` when `value` is not plain JSON (what every
 * engine can journal and give back unchanged).
 */
export function assertJson(value: unknown, what: string, path = "result"): void {
  const problem = jsonProblem(value, path, new Set());
  if (problem !== undefined) {
    throw new TypeError(
      `${what} returned a value that is not JSON: ${problem}; return plain JSON (objects, arrays, strings, finite numbers, booleans, null)`,
    );
  }
}

function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : `"${path}" is ${value}`;
  }
  if (value === undefined) return `"${path}" is undefined`;
  if (typeof value !== "object") return `"${path}" is a ${typeof value}`;
  if (seen.has(value)) return `"${path}" is a circular reference`;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `"${path}" is a ${value.constructor?.name ?? "class instance"}`;
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const problem = jsonProblem(value[index], `${path}[${index}]`, seen);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue; // dropped by JSON, as in a plain object literal
      const problem = jsonProblem(item, `${path}.${key}`, seen);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}
