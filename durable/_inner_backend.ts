/**
 * The backend a durable backend wraps (private to durable/): a tool step
 * gives its tool the inner backend, so a model call made inside a tool is
 * journaled with the tool's step and never becomes a step of its own.
 *
 * @module
 */
import type { Backend } from "../loop/types.ts";

const INNER = new WeakMap<Backend, Backend>();

/** Remember that `outer` journals the calls of `inner`. */
export function markDurable(outer: Backend, inner: Backend): void {
  INNER.set(outer, inner);
}

/** The backend under a durable backend, or `backend` itself. */
export function innerBackend(backend: Backend): Backend {
  return INNER.get(backend) ?? backend;
}
