import assert from "node:assert/strict";
import { DEFAULT_MCP_ENV_NAMES, defaultMcpEnv } from "../../../tools/mcp/mod.ts";

Deno.test("defaultMcpEnv() copies only the documented names that are set", () => {
  const env = defaultMcpEnv({
    from: {
      PATH: "/bin",
      HOME: "/home/a",
      NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
      https_proxy: "http://proxy:3128",
      npm_config_registry: "https://registry.example/",
      OPENAI_API_KEY: "sk-secret",
    },
  });
  assert.deepEqual(env, {
    PATH: "/bin",
    HOME: "/home/a",
    NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
    https_proxy: "http://proxy:3128",
    npm_config_registry: "https://registry.example/",
  });
});

Deno.test("defaultMcpEnv() adds 'extra' names and reads through a getter", () => {
  const env = defaultMcpEnv({
    from: (name) => (name === "GITHUB_TOKEN" || name === "PATH" ? `${name}-value` : undefined),
    extra: ["GITHUB_TOKEN"],
  });
  assert.deepEqual(env, { PATH: "PATH-value", GITHUB_TOKEN: "GITHUB_TOKEN-value" });
});

Deno.test("defaultMcpEnv() reads the process environment by default", () => {
  assert.equal(defaultMcpEnv().PATH, Deno.env.get("PATH"));
  assert.ok(DEFAULT_MCP_ENV_NAMES.includes("SSL_CERT_FILE"));
  assert.ok(Object.isFrozen(DEFAULT_MCP_ENV_NAMES));
});
