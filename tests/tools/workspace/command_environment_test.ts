import assert from "node:assert/strict";
import { dirname } from "node:path";
import process from "node:process";
import {
  COMMAND_ENV_NAMES,
  commandEnvironment,
} from "../../../tools/workspace/command_environment.ts";

const FROM = {
  PATH: "/usr/bin:/bin",
  LANG: "en_US.UTF-8",
  HOME: "/home/me",
  FAKE_PROVIDER_API_KEY: "sk-live-abcdefghijklmnopqrstuvwx",
  GITHUB_TOKEN: "ghp_abcdefghijklmnopqrstuvwxyz0123",
  AWS_SECRET_ACCESS_KEY: "aws-secret",
  HTTPS_PROXY: "http://user:pass@proxy:3128",
};

Deno.test("commandEnvironment() passes PATH and the locale, sets HOME and temp, and keeps every secret out", () => {
  const env = commandEnvironment({ home: "/scratch/home", tmp: "/scratch/tmp", from: FROM });
  assert.equal(env.PATH, `${dirname(process.execPath)}:/usr/bin:/bin`);
  assert.equal(env.LANG, "en_US.UTF-8");
  assert.equal(env.HOME, "/scratch/home");
  assert.equal(env.TMPDIR, "/scratch/tmp");
  assert.equal(env.TMP, "/scratch/tmp");
  assert.equal(env.TEMP, "/scratch/tmp");
  for (
    const name of ["FAKE_PROVIDER_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "HTTPS_PROXY"]
  ) {
    assert.equal(env[name], undefined, name);
  }
  for (const name of Object.keys(env)) {
    assert.ok(
      COMMAND_ENV_NAMES.includes(name) || ["HOME", "TMPDIR", "TMP", "TEMP"].includes(name),
      `unexpected ${name}`,
    );
  }
});

Deno.test("commandEnvironment() passes secrets only when named one by one, and fixed values win", () => {
  const env = commandEnvironment({
    home: "/h",
    tmp: "/t",
    from: FROM,
    pass: ["GITHUB_TOKEN", "NOT_SET"],
    set: { NO_COLOR: "1", HOME: "/override" },
  });
  assert.equal(env.GITHUB_TOKEN, FROM.GITHUB_TOKEN);
  assert.equal(env.FAKE_PROVIDER_API_KEY, undefined);
  assert.equal("NOT_SET" in env, false);
  assert.equal(env.NO_COLOR, "1");
  assert.equal(env.HOME, "/override");
});

Deno.test("commandEnvironment() gives a system PATH and C.UTF-8 when the source has none", () => {
  const env = commandEnvironment({ home: "/h", tmp: "/t", from: {} });
  assert.equal(env.PATH, `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`);
  assert.equal(env.LANG, "C.UTF-8");
});

Deno.test("commandEnvironment() throws naming a bad pass entry or a missing folder", () => {
  assert.throws(
    () => commandEnvironment({ home: "/h", tmp: "/t", pass: ["$(rm -rf)"] }),
    /'pass' entry "\$\(rm -rf\)" is not a variable name/,
  );
  assert.throws(() => commandEnvironment({ home: "", tmp: "/t" }), /'home' and 'tmp'/);
});
