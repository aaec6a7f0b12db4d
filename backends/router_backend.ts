import type { Backend, GenerateOptions, ModelRequest, ModelTurn } from "../loop/types.ts";

/**
 * Options of `routerBackend`.
 *
 * @example Send compaction to a smaller model
 * ```ts ignore
 * import { routerBackend } from "jsr:@looplet/looplet/backends";
 * const llm = routerBackend({
 *   default: mainModel,
 *   routes: { summarize: cheapModel },
 *   name: "main+cheap-summaries",
 * });
 * ```
 */
export interface RouterBackendOptions {
  /** The backend for requests whose purpose has no route (loop turns: `"reasoning"`). */
  readonly default: Backend;
  /** A backend per purpose, for example `{ summarize: cheapModel }`. @default {} */
  readonly routes?: Readonly<Record<string, Backend>>;
  /** Name in messages and traces. @default "router(<default name>)" */
  readonly name?: string;
}

/**
 * A backend that picks another backend by `request.purpose`: for example a
 * cheap model for compaction (`"summarize"`) and the main model for loop turns
 * (`"reasoning"`). Capabilities are the default backend's, because the loop
 * shapes its tool protocol from them; every route that receives tools must
 * therefore agree with the default on `nativeTools`.
 *
 * @param options The default backend and the routes.
 * @returns The routing backend.
 * @throws {TypeError} When a route is not a backend, or a route disagrees with the default on `nativeTools`.
 * @example Summarise with a cheaper model
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * import { routerBackend } from "jsr:@looplet/looplet/backends";
 * const main = new ScriptedBackend([], { name: "main" });
 * const cheap = new ScriptedBackend(["short summary"], { name: "cheap" });
 * const llm = routerBackend({ default: main, routes: { summarize: cheap } });
 * const turn = await llm.generate({ messages: [], systemPrompt: "", tools: [], purpose: "summarize" });
 * // turn.text === "short summary"
 * ```
 */
export function routerBackend(options: RouterBackendOptions): Backend {
  const { default: fallback, routes = {} } = options ?? ({} as RouterBackendOptions);
  assertBackend(fallback, "default");
  for (const [purpose, backend] of Object.entries(routes)) {
    assertBackend(backend, `routes.${purpose}`);
    if (backend.capabilities.nativeTools !== fallback.capabilities.nativeTools) {
      throw new TypeError(
        `Cannot create router: route "${purpose}" (backend "${backend.name}") has nativeTools ` +
          `${backend.capabilities.nativeTools} but the default ("${fallback.name}") has ` +
          `${fallback.capabilities.nativeTools}; use backends that speak the same tool protocol`,
      );
    }
  }
  const table = new Map(Object.entries(routes));
  return {
    name: options.name ?? `router(${fallback.name})`,
    capabilities: fallback.capabilities,
    generate(request: ModelRequest, generateOptions?: GenerateOptions): Promise<ModelTurn> {
      const backend = (request.purpose !== undefined ? table.get(request.purpose) : undefined) ??
        fallback;
      return backend.generate(request, generateOptions);
    },
  };
}

function assertBackend(value: unknown, field: string): asserts value is Backend {
  const backend = value as Backend | undefined;
  if (
    typeof backend !== "object" || backend === null || typeof backend.generate !== "function" ||
    typeof backend.capabilities !== "object"
  ) {
    throw new TypeError(
      `Cannot create router: '${field}' must be a Backend with generate() and capabilities`,
    );
  }
}
