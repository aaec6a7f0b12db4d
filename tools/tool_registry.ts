import type { AnyTool } from "../loop/types.ts";
import { assertToolShape } from "../loop/assert_tool.ts";

/**
 * A named set of tools. `composableLoop` takes a registry or a plain array.
 *
 * @example
 * ```ts ignore
 * const registry = new ToolRegistry([greet]).add(add);
 * composableLoop({ llm, tools: registry, task: "Add 1 and 2" });
 * ```
 */
export class ToolRegistry implements Iterable<AnyTool> {
  readonly #tools = new Map<string, AnyTool>();

  /**
   * Make a registry, optionally with initial tools.
   *
   * @param tools Initial tools.
   * @throws {TypeError} When two tools share a name or a tool is malformed.
   */
  constructor(tools: Iterable<AnyTool> = []) {
    for (const item of tools) this.add(item);
  }

  /**
   * Add a tool.
   *
   * @param item The tool.
   * @returns This registry, for chaining.
   * @throws {TypeError} When a tool of that name is already registered.
   */
  add(item: AnyTool): this {
    assertToolShape(item, "ToolRegistry.add()");
    if (this.#tools.has(item.name)) {
      throw new TypeError(
        `ToolRegistry.add(): a tool named "${item.name}" is already registered; rename one of them`,
      );
    }
    this.#tools.set(item.name, item);
    return this;
  }

  /**
   * Look a tool up by name.
   *
   * @param name The tool name.
   * @returns The tool, or `undefined`.
   */
  get(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  /** Registered names, in insertion order. */
  get names(): string[] {
    return [...this.#tools.keys()];
  }

  /** Number of tools. */
  get size(): number {
    return this.#tools.size;
  }

  /** Iterate the tools in insertion order. */
  [Symbol.iterator](): Iterator<AnyTool> {
    return this.#tools.values();
  }
}
