// The bubblewrap sandbox: containment of writes, reads, the network, and the coder demo inside it.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { bashTool } from "../../../../tools/workspace/bash_tool.ts";
import { runCommand } from "../../../../tools/workspace/run_command.ts";
import { workspaceRoot } from "../../../../tools/workspace/workspace_path.ts";
import { call, tempWorkspace } from "../../../tools/workspace/_ctx.ts";
import { cli, CODER, SAMPLE } from "../../../bundles/_helpers.ts";
import { SANDBOX } from "./_sandbox.ts";
import { bashWithin, within } from "./_deadline.ts";

const ignore = !SANDBOX.available;

Deno.test({
  name: "bash under the sandbox cannot write or read outside the workspace, and can inside",
  ignore,
  async fn() {
    const outside = await tempWorkspace({ "secret.txt": "OUTSIDE SECRET" });
    const root = workspaceRoot(await tempWorkspace({ "in.txt": "inside" }));
    const bash = bashTool(root, { sandbox: "bwrap", timeoutMs: 20_000 });
    const result = await bashWithin(
      30_000,
      bash,
      `echo x > ${outside}/written; cat ${outside}/secret.txt; cat /etc/hostname >/dev/null && echo system-readable; echo y > /usr/escape; ls ~ ; echo ok > new.txt; cat in.txt`,
    );
    assert.equal(existsSync(`${outside}/written`), false, "no write outside");
    assert.doesNotMatch(result.stdout, /OUTSIDE SECRET/);
    assert.match(result.stdout, /system-readable/);
    assert.match(result.stderr, /\/usr\/escape: Read-only file system|Permission denied/);
    assert.match(result.stdout, /inside$/);
    assert.equal(await Deno.readTextFile(`${root}/new.txt`), "ok\n");
    // The relative and `cd /` forms of the same escapes; a file in the real home stays hidden.
    const home = Deno.env.get("HOME") ?? "/root";
    const homeProbe = [".bashrc", ".profile", "."].map((name) => `${home}/${name}`)
      .find((path) => existsSync(path))!;
    const sibling = `../${outside.split("/").at(-1)}`;
    const relative = await bashWithin(
      30_000,
      bash,
      `cat ${sibling}/secret.txt; echo x > ${sibling}/relative; cd / && echo x > ${outside}/from-root; echo x > /escape-${crypto.randomUUID()}; ls /; test -e ${homeProbe} && echo home-visible`,
    );
    assert.doesNotMatch(relative.stdout, /OUTSIDE SECRET/);
    assert.equal(existsSync(`${outside}/relative`), false);
    assert.equal(existsSync(`${outside}/from-root`), false);
    assert.doesNotMatch(relative.stdout, /^work$/m, "no host folders besides the system");
    assert.doesNotMatch(relative.stdout, /home-visible/, `${homeProbe} is hidden`);
    // Control: the same write outside succeeds without the sandbox, so the test can fail.
    await call(bashTool(root), { command: `echo x > ${outside}/written` });
    assert.equal(existsSync(`${outside}/written`), true);
  },
});

Deno.test({
  name: "the sandbox has no network unless asked: a server on 127.0.0.1 is unreachable from inside",
  ignore,
  async fn() {
    const server = createServer((_request, response) => response.end("hello from host"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const root = workspaceRoot(await tempWorkspace());
    // bash's /dev/tcp opens a TCP connection without needing curl.
    const probe =
      `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`;
    try {
      const off = await within(
        30_000,
        "sandboxed probe",
        runCommand("bash", ["-c", probe], {
          cwd: root,
          sandbox: "bwrap",
          timeoutMs: 20_000,
        }),
      );
      assert.notEqual(off.exitCode, 0);
      assert.doesNotMatch(off.stdout, /hello from host/);
      assert.equal(off.sandboxed, true);
      const on = await within(
        30_000,
        "networked probe",
        runCommand("bash", ["-c", probe], {
          cwd: root,
          sandbox: "bwrap",
          network: true,
          timeoutMs: 20_000,
        }),
      );
      assert.match(on.stdout, /hello from host/);
      const host = await within(
        30_000,
        "unsandboxed probe",
        runCommand("bash", ["-c", probe], {
          cwd: root,
          timeoutMs: 20_000,
        }),
      );
      assert.match(host.stdout, /hello from host/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
});

Deno.test({
  name: "run --sandbox bwrap: the scripted coder still fixes its sample project",
  ignore,
  async fn() {
    const { code, out, err } = await within(
      50_000,
      "looplet run",
      cli([
        "run",
        CODER,
        "Fix the failing test",
        "--scripted",
        "--copy-workspace",
        SAMPLE,
        "--sandbox",
        "bwrap",
        "--no-trace",
      ]),
    );
    assert.equal(code, 0, `${out}\n${err}`);
    assert.match(out, /Sandbox: bwrap \(workspace read-write, system read-only, network off\)/);
    assert.match(out, /✓ done in 7 steps/);
  },
});

Deno.test("run --sandbox rejects an unknown mode with the usage line", async () => {
  const { code, err } = await cli(["run", CODER, "x", "--scripted", "--sandbox", "docker"]);
  assert.equal(code, 2);
  assert.match(err, /--sandbox must be auto, bwrap or none, got "docker"/);
});
