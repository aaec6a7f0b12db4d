/**
 * OpenTelemetry tracing for looplet runs, on its own entry point so that core
 * users never load `@opentelemetry/api`:
 * `import { otelHook } from "jsr:@looplet/looplet/otel"`.
 *
 * @module
 */
export { otelHook } from "./otel_hook.ts";
export type { OtelHookOptions, OtelTracer } from "./otel_hook.ts";
