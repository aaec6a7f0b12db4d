// otelHook() through Deno's built-in OTel exporter, in a subprocess, to an OTLP server on 127.0.0.1.
import assert from "node:assert/strict";

Deno.test("otelHook() without a tracer exports through Deno's built-in OTel (OTEL_DENO=true)", async () => {
  const bodies: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      bodies.push(`${new URL(request.url).pathname} ${await request.text()}`);
      return new Response("{}", { headers: { "content-type": "application/json" } });
    },
  );
  const script = `
    import { composableLoop, ScriptedBackend } from "${
    new URL("../../../../mod.ts", import.meta.url).href
  }";
    import { otelHook } from "${new URL("../../../../hooks/otel/mod.ts", import.meta.url).href}";
    await composableLoop({
      llm: new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })]),
      task: "traced task",
      hooks: [otelHook()],
    }).complete();
  `;
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/otel_default.ts`;
    await Deno.writeTextFile(file, script);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../../../../deno.json", import.meta.url).pathname,
        file,
      ],
      env: {
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
        OTEL_SERVICE_NAME: "looplet-test",
      },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const traces = bodies.filter((body) => body.startsWith("/v1/traces")).join("\n");
    assert.match(traces, /invoke_agent looplet/);
    assert.match(traces, /chat scripted/);
    assert.match(traces, /execute_tool done/);
    assert.match(traces, /gen_ai\.provider\.name/);
    assert.match(traces, /traced task/);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
