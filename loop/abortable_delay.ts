/**
 * Wait `ms` milliseconds, or reject with the signal's reason as soon as it
 * aborts. The timer is always cleared.
 *
 * @param ms Milliseconds to wait.
 * @param signal Optional cancellation.
 * @returns A promise that settles after the delay.
 * @example
 * ```ts
 * import { abortableDelay } from "jsr:@looplet/looplet";
 * await abortableDelay(10);
 * ```
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
