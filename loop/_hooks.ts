import { HookError } from "./hook_error.ts";
import { suggestSimilar } from "./suggest_similar.ts";
import type { Hook, HookDecision, LoopEvent } from "./types.ts";

/** Hook slots that return decisions. */
export type DecisionSlot =
  | "prePrompt"
  | "preDispatch"
  | "postDispatch"
  | "checkDone"
  | "shouldStop"
  | "onPromptTooLong";

const HONOURED: Record<DecisionSlot, readonly (keyof HookDecision)[]> = {
  prePrompt: ["inject", "messages"],
  preDispatch: ["deny", "args", "result", "pause", "inject"],
  postDispatch: ["result", "inject", "stop"],
  checkDone: ["deny", "inject"],
  shouldStop: ["stop", "inject"],
  onPromptTooLong: ["messages"],
};

const ALL_FIELDS = new Set<string>([
  "deny",
  "args",
  "result",
  "inject",
  "stop",
  "pause",
  "messages",
]);

const SLOTS = [
  "onLoopStart",
  "prePrompt",
  "preDispatch",
  "postDispatch",
  "checkDone",
  "shouldStop",
  "onModelReply",
  "onPromptTooLong",
  "onLoopEnd",
  "onEvent",
] as const;

/** Every loop event type, for `Hook.events`. */
export const EVENT_TYPES: readonly LoopEvent["type"][] = [
  "loop_start",
  "turn_start",
  "model_call_start",
  "model_delta",
  "model_call_end",
  "model_retry",
  "prompt_too_long",
  "tool_start",
  "tool_progress",
  "step",
  "loop_end",
];

/** The name a hook goes by in messages. */
export function hookName(hook: Hook, index: number): string {
  return typeof hook.name === "string" && hook.name !== "" ? hook.name : `hooks[${index}]`;
}

/**
 * Check the hooks option: plain objects whose slot properties are functions,
 * with a hint when a method name looks like a misspelt slot.
 */
export function assertHooks(hooks: unknown): asserts hooks is readonly Hook[] {
  if (!Array.isArray(hooks)) {
    throw new TypeError(
      `Cannot start loop: 'hooks' must be an array of hook objects, got ${typeof hooks}`,
    );
  }
  hooks.forEach((hook, index) => {
    if (typeof hook !== "object" || hook === null) {
      throw new TypeError(
        `Cannot start loop: hooks[${index}] must be an object with hook methods, got ${
          hook === null ? "null" : typeof hook
        }`,
      );
    }
    const name = hookName(hook as Hook, index);
    for (const slot of SLOTS) {
      const method = (hook as Record<string, unknown>)[slot];
      if (method !== undefined && typeof method !== "function") {
        throw new TypeError(`Cannot start loop: hook "${name}" slot '${slot}' must be a function`);
      }
    }
    const events = (hook as Hook).events;
    if (events !== undefined) {
      if (!Array.isArray(events)) {
        throw new TypeError(
          `Cannot start loop: hook "${name}" 'events' must be an array of event types`,
        );
      }
      for (const type of events) {
        if (!EVENT_TYPES.includes(type)) {
          const hint = suggestSimilar(String(type), EVENT_TYPES);
          throw new TypeError(
            `Cannot start loop: hook "${name}" lists an unknown event type ${
              JSON.stringify(type)
            }` +
              (hint ? `; did you mean "${hint}"?` : `; known types are ${EVENT_TYPES.join(", ")}`),
          );
        }
      }
    }
    for (const [key, value] of Object.entries(hook)) {
      if (typeof value !== "function" || (SLOTS as readonly string[]).includes(key)) continue;
      const slot = suggestSimilar(key, SLOTS, 0.8);
      if (slot !== undefined) {
        throw new TypeError(
          `Cannot start loop: hook "${name}" has a method '${key}', which is not a hook slot; did you mean '${slot}'?`,
        );
      }
    }
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Validate a decision returned by a hook slot; throws a TypeError naming hook, slot and field. */
export function checkDecision(
  value: unknown,
  slot: DecisionSlot,
  name: string,
): HookDecision | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `Hook "${name}" returned ${describe(value)} from ${slot}; return a decision object ` +
        `with ${HONOURED[slot].map((field) => `'${field}'`).join(", ")}, or nothing`,
    );
  }
  const decision = value as Record<string, unknown>;
  for (const [field, fieldValue] of Object.entries(decision)) {
    if (fieldValue === undefined) continue;
    if (!ALL_FIELDS.has(field)) {
      const hint = suggestSimilar(field, ALL_FIELDS);
      throw new TypeError(
        `Hook "${name}" returned an unknown decision field '${field}' from ${slot}` +
          (hint ? `; did you mean '${hint}'?` : `; known fields are ${[...ALL_FIELDS].join(", ")}`),
      );
    }
    if (!HONOURED[slot].includes(field as keyof HookDecision)) {
      throw new TypeError(
        `Hook "${name}" returned '${field}' from ${slot}, which ${slot} cannot honour; ` +
          `${slot} honours ${HONOURED[slot].map((f) => `'${f}'`).join(", ")}`,
      );
    }
    checkFieldType(field as keyof HookDecision, fieldValue, slot, name);
  }
  return decision as HookDecision;
}

function checkFieldType(
  field: keyof HookDecision,
  value: unknown,
  slot: string,
  name: string,
): void {
  const fail = (expected: string) => {
    throw new TypeError(
      `Hook "${name}" returned '${field}' from ${slot} as ${
        describe(value)
      }; it must be ${expected}`,
    );
  };
  switch (field) {
    case "deny":
    case "inject":
    case "pause":
      if (typeof value !== "string") fail("a string");
      break;
    case "stop":
      if (typeof value !== "string" && value !== true) fail("a string (the stop reason) or true");
      break;
    case "args":
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("an object");
      break;
    case "messages":
      if (!Array.isArray(value)) fail("an array of messages");
      break;
  }
}

/** Calls hook slots and turns throws into HookErrors. Slots no hook has cost nothing. */
export class HookRunner {
  readonly #hooks: readonly Hook[];
  readonly #bySlot = new Map<string, { hook: Hook; index: number }[]>();
  readonly #observers = new Map<LoopEvent["type"], readonly { hook: Hook; index: number }[]>();

  constructor(hooks: readonly Hook[]) {
    this.#hooks = hooks;
    for (const slot of SLOTS) {
      this.#bySlot.set(
        slot,
        hooks.map((hook, index) => ({ hook, index })).filter(({ hook }) =>
          typeof hook[slot] === "function"
        ),
      );
    }
    const observers = this.#bySlot.get("onEvent")!;
    for (const type of EVENT_TYPES) {
      this.#observers.set(
        type,
        observers.filter(({ hook }) => hook.events === undefined || hook.events.includes(type)),
      );
    }
  }

  /** True when some hook observes events of this type. */
  observes(type: LoopEvent["type"]): boolean {
    return this.#observers.get(type)!.length > 0;
  }

  /** True when some hook implements the slot. */
  has(slot: DecisionSlot | "onModelReply"): boolean {
    return this.#bySlot.get(slot)!.length > 0;
  }

  /**
   * Call a decision slot on each hook in order; `onDecision` returning true
   * stops asking the remaining hooks. Hooks that answer synchronously are
   * handled synchronously: the result is a promise only from the first hook
   * that returns one, and undefined (no promise) when none does.
   */
  decide<C>(
    slot: DecisionSlot,
    ctx: C | (() => C),
    onDecision: (decision: HookDecision) => boolean | void,
  ): Promise<void> | undefined {
    const entries = this.#bySlot.get(slot)!;
    return entries.length === 0 ? undefined : this.#decideFrom(0, entries, slot, ctx, onDecision);
  }

  #decideFrom<C>(
    start: number,
    entries: readonly { hook: Hook; index: number }[],
    slot: DecisionSlot,
    ctx: C | (() => C),
    onDecision: (decision: HookDecision) => boolean | void,
  ): Promise<void> | undefined {
    for (let position = start; position < entries.length; position++) {
      const { hook, index } = entries[position]!;
      const name = hookName(hook, index);
      let value: unknown;
      try {
        value = (hook[slot] as (ctx: C) => unknown).call(
          hook,
          typeof ctx === "function" ? (ctx as () => C)() : ctx,
        );
      } catch (error) {
        return Promise.reject(new HookError(name, slot, error));
      }
      if (isPromiseLike(value)) {
        return Promise.resolve(value).then(
          (settled) =>
            this.#decided(settled, slot, name, onDecision)
              ? undefined
              : this.#decideFrom(position + 1, entries, slot, ctx, onDecision),
          (error) => {
            throw new HookError(name, slot, error);
          },
        );
      }
      try {
        if (this.#decided(value, slot, name, onDecision)) return undefined;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return undefined;
  }

  /** Check a hook's answer and hand a decision on; true when no further hook is asked. */
  #decided(
    value: unknown,
    slot: DecisionSlot,
    name: string,
    onDecision: (decision: HookDecision) => boolean | void,
  ): boolean {
    const decision = checkDecision(value, slot, name);
    return decision !== undefined && onDecision(decision) === true;
  }

  /** Call a notification slot (`onLoopStart`, `onModelReply`, `onLoopEnd`) on every hook. */
  notify<C>(
    slot: "onLoopStart" | "onModelReply" | "onLoopEnd",
    ctx: C,
  ): Promise<void> | undefined {
    const entries = this.#bySlot.get(slot)!;
    return entries.length === 0 ? undefined : this.#notifyFrom(0, entries, slot, ctx);
  }

  /** Like `#emitFrom`: synchronous until a hook returns a promise. */
  #notifyFrom<C>(
    start: number,
    entries: readonly { hook: Hook; index: number }[],
    slot: "onLoopStart" | "onModelReply" | "onLoopEnd",
    ctx: C,
  ): Promise<void> | undefined {
    for (let position = start; position < entries.length; position++) {
      const { hook, index } = entries[position]!;
      let result: unknown;
      try {
        result = (hook[slot] as (ctx: C) => unknown).call(hook, ctx);
      } catch (error) {
        return Promise.reject(new HookError(hookName(hook, index), slot, error));
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          () => this.#notifyFrom(position + 1, entries, slot, ctx),
          (error) => {
            throw new HookError(hookName(hook, index), slot, error);
          },
        );
      }
    }
    return undefined;
  }

  /**
   * End of the run: deliver `loop_end` to every observer, then call every
   * `onLoopEnd`, each one even when an earlier one threw (cleanup such as
   * closing servers or the last checkpoint must not be skipped). Returns one
   * HookError per hook that threw, in order.
   */
  async endRun<C>(event: LoopEvent & { type: "loop_end" }, ctx: C): Promise<HookError[]> {
    const errors: HookError[] = [];
    for (const { hook, index } of this.#observers.get("loop_end")!) {
      try {
        await hook.onEvent!(event);
      } catch (error) {
        errors.push(new HookError(hookName(hook, index), "onEvent", error));
      }
    }
    for (const { hook, index } of this.#bySlot.get("onLoopEnd")!) {
      try {
        await (hook.onLoopEnd as (ctx: C) => unknown).call(hook, ctx);
      } catch (error) {
        errors.push(new HookError(hookName(hook, index), "onLoopEnd", error));
      }
    }
    return errors;
  }

  /**
   * Deliver an event to the observers of its type, in order; undefined (no
   * promise) when nobody observes it or every observer returned nothing.
   */
  emit(event: LoopEvent): Promise<void> | undefined {
    const observers = this.#observers.get(event.type)!;
    return observers.length === 0 ? undefined : this.#emitFrom(observers, 0, event);
  }

  /** Deliver synchronously while observers return no promise; after one does, once it settles. */
  #emitFrom(
    observers: readonly { hook: Hook; index: number }[],
    start: number,
    event: LoopEvent,
  ): Promise<void> | undefined {
    for (let position = start; position < observers.length; position++) {
      const { hook, index } = observers[position]!;
      let result: unknown;
      try {
        result = hook.onEvent!(event);
      } catch (error) {
        return Promise.reject(new HookError(hookName(hook, index), "onEvent", error));
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          () => this.#emitFrom(observers, position + 1, event),
          (error) => {
            throw new HookError(hookName(hook, index), "onEvent", error);
          },
        );
      }
    }
    return undefined;
  }

  /** Deliver an event synchronously (for streamed deltas); returns the first error. */
  emitNow(event: LoopEvent): HookError | undefined {
    for (const { hook, index } of this.#observers.get(event.type)!) {
      try {
        const result = hook.onEvent!(event);
        if (result instanceof Promise) result.catch(() => {});
      } catch (error) {
        return new HookError(hookName(hook, index), "onEvent", error);
      }
    }
    return undefined;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
