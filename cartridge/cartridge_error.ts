/**
 * The spec category of a cartridge rejection. Values are stable (they land in
 * `expected_error.json` files and in the CLI's output).
 *
 * @example Branch on the category
 * ```ts
 * import type { CartridgeErrorCategory } from "jsr:@looplet/looplet/cartridge";
 * const category: CartridgeErrorCategory = "tier";
 * console.log(category === "tier" ? "move the key to runtime.yaml" : "see the message");
 * ```
 */
export type CartridgeErrorCategory =
  | "manifest"
  | "version"
  | "language"
  | "tier"
  | "removed"
  | "slot"
  | "reference"
  | "extends"
  | "permission"
  | "protocol";

/**
 * What is wrong with a cartridge: the file, the field, what is wrong, and the fix.
 *
 * @example A problem as the loader reports it
 * ```ts
 * import type { CartridgeProblem } from "jsr:@looplet/looplet/cartridge";
 * const problem: CartridgeProblem = {
 *   file: "agent.cartridge/config.yaml",
 *   field: "max_tokens",
 *   message: "is a runtime-tier key",
 *   fix: "move it to runtime.yaml",
 * };
 * ```
 */
export interface CartridgeProblem {
  /** The file or folder concerned. */
  readonly file: string;
  /** The field concerned, when there is one. */
  readonly field?: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/**
 * Format a problem as one line: `file: field: message; fix`.
 *
 * @param problem The problem.
 * @returns The line.
 * @example Format a problem
 * ```ts
 * import { formatCartridgeProblem } from "jsr:@looplet/looplet/cartridge";
 * formatCartridgeProblem({ file: "a/setup.py", message: "is not allowed", fix: "delete it" });
 * // "a/setup.py: is not allowed; delete it"
 * ```
 */
export function formatCartridgeProblem(problem: CartridgeProblem): string {
  const field = problem.field !== undefined ? `${problem.field}: ` : "";
  return `${problem.file}: ${field}${problem.message}; ${problem.fix}`.replace(/\s*\n\s*/g, " ");
}

/**
 * A cartridge was rejected. The message is one line naming the file, the
 * field and the fix; `category` says which rule of the spec it broke, and
 * each category has its own subclass (`CartridgeTierError`, ...), so that
 * `error.name` names the category too.
 *
 * @example Report a rejection
 * ```ts ignore
 * try {
 *   await loadCartridge("agent.cartridge");
 * } catch (error) {
 *   if (error instanceof CartridgeError) console.error(`${error.name}: ${error.message}`);
 * }
 * ```
 */
export class CartridgeError extends Error {
  /** The spec category. */
  readonly category: CartridgeErrorCategory;
  /** The problem. */
  readonly problem: CartridgeProblem;

  /**
   * Create the error.
   *
   * @param category The spec category.
   * @param problem The problem.
   * @param options Optional cause.
   */
  constructor(
    category: CartridgeErrorCategory,
    problem: CartridgeProblem,
    options: { cause?: unknown } = {},
  ) {
    super(formatCartridgeProblem(problem), options);
    this.name = "CartridgeError";
    this.category = category;
    this.problem = problem;
  }
}

/**
 * `cartridge.json` is missing or malformed.
 *
 * @example Make a CartridgeManifestError
 * ```ts
 * import { CartridgeManifestError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeManifestError({ file: "a", message: "has no cartridge.json", fix: "add one" });
 * console.log(error.name); // "CartridgeManifestError"
 * ```
 */
export class CartridgeManifestError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("manifest", problem);
    this.name = "CartridgeManifestError";
  }
}

/**
 * `schema_version` is not one this host loads (it loads 2).
 *
 * @example Make a CartridgeVersionError
 * ```ts
 * import { CartridgeVersionError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeVersionError({ file: "a/cartridge.json", field: "schema_version", message: "is 3", fix: "use 2" });
 * ```
 */
export class CartridgeVersionError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("version", problem);
    this.name = "CartridgeVersionError";
  }
}

/**
 * The declared body `language` is one this host cannot execute.
 *
 * @example Make a CartridgeLanguageError
 * ```ts
 * import { CartridgeLanguageError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeLanguageError({ file: "a/cartridge.json", field: "language", message: "is rust", fix: "use python" });
 * ```
 */
export class CartridgeLanguageError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("language", problem);
    this.name = "CartridgeLanguageError";
  }
}

/**
 * A key sits in the wrong tier: a RUNTIME key in `config.yaml`, or a
 * CONTRACT key in `runtime.yaml`.
 *
 * @example Make a CartridgeTierError
 * ```ts
 * import { CartridgeTierError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeTierError({ file: "a/config.yaml", field: "temperature", message: "is runtime-tier", fix: "move it to runtime.yaml" });
 * ```
 */
export class CartridgeTierError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("tier", problem);
    this.name = "CartridgeTierError";
  }
}

/**
 * The cartridge uses something spec v2 removed: `setup.py`, undeclared
 * `prompts/briefing.md` / `prompts/recovery.md`, tool `tags:`, single-file
 * `__requires__` / `__render__` / `__tags__`, `${py:...}`, `done_tools:`.
 *
 * @example Make a CartridgeRemovedError
 * ```ts
 * import { CartridgeRemovedError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeRemovedError({ file: "a/setup.py", message: "is removed in v2", fix: "delete it" });
 * ```
 */
export class CartridgeRemovedError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("removed", problem);
    this.name = "CartridgeRemovedError";
  }
}

/**
 * A slot is malformed: bad YAML, a wrong type, an unknown built-in, a tool without a body.
 *
 * @example Make a CartridgeSlotError
 * ```ts
 * import { CartridgeSlotError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeSlotError({ file: "a/config.yaml", field: "max_steps", message: "is -1", fix: "use a positive integer" });
 * ```
 */
export class CartridgeSlotError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("slot", problem);
    this.name = "CartridgeSlotError";
  }
}

/**
 * A reference (`${ref:name}`, `@name`, `${runtime.field}`, `requires:`) does not resolve.
 *
 * @example Make a CartridgeReferenceError
 * ```ts
 * import { CartridgeReferenceError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeReferenceError({ file: "a/config.yaml", field: "max_steps", message: "${runtime.steps} is not set", fix: "pass it" });
 * ```
 */
export class CartridgeReferenceError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("reference", problem);
    this.name = "CartridgeReferenceError";
  }
}

/**
 * `extends:` is malformed: a list, a missing parent, a cycle.
 *
 * @example Make a CartridgeExtendsError
 * ```ts
 * import { CartridgeExtendsError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeExtendsError({ file: "a/config.yaml", field: "extends", message: "is a cycle", fix: "break it" });
 * ```
 */
export class CartridgeExtendsError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("extends", problem);
    this.name = "CartridgeExtendsError";
  }
}

/**
 * `permissions:` declares `ask:` rules but the host gave no ask handler.
 *
 * @example Make a CartridgePermissionError
 * ```ts
 * import { CartridgePermissionError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgePermissionError({ file: "a/config.yaml", field: "permissions.ask", message: "needs a handler", fix: "pass ask" });
 * ```
 */
export class CartridgePermissionError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("permission", problem);
    this.name = "CartridgePermissionError";
  }
}

/**
 * An out-of-process server (MCP, LEP, SSP) could not be started or answered badly at start.
 *
 * @example Make a CartridgeProtocolError
 * ```ts
 * import { CartridgeProtocolError } from "jsr:@looplet/looplet/cartridge";
 * const error = new CartridgeProtocolError({ file: "a/config.yaml", field: "state_services.log", message: "never bound its socket", fix: "check the command" });
 * ```
 */
export class CartridgeProtocolError extends CartridgeError {
  /**
   * Create the error.
   * @param problem The problem.
   */
  constructor(problem: CartridgeProblem) {
    super("protocol", problem);
    this.name = "CartridgeProtocolError";
  }
}
