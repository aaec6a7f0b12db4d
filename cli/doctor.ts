/**
 * `looplet doctor`: check the runtime, the environment and the model endpoint.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `doctor` command.
 *
 * @example
 * ```ts ignore
 * await main(["doctor", "--no-backend"]);
 * ```
 */
export const command: CommandSpec = {
  name: "doctor",
  usage: "",
  summary: "Check the runtime, the environment and (unless --no-backend) the model endpoint.",
  options: {
    json: { type: "boolean", description: "print the checks as JSON" },
    "no-backend": { type: "boolean", description: "do not call the model endpoint" },
  },
  positionals: { min: 0, max: 0, names: "" },
  async run({ values }, context) {
    const { doctorChecks } = await import("../bundles/doctor_checks.ts");
    const checks = await doctorChecks(context.env, {
      backend: !values["no-backend"],
      ...(context.deps.backendFromEnv ? { backendFromEnv: context.deps.backendFromEnv } : {}),
      ...(context.deps.probeNativeTools ? { probeNativeTools: context.deps.probeNativeTools } : {}),
    });
    if (values.json) context.io.stdout(JSON.stringify({ checks }, null, 2));
    else {
      context.io.stdout("looplet doctor");
      for (const check of checks) {
        context.io.stdout(`${check.status.toUpperCase().padEnd(5)} ${check.name}: ${check.detail}`);
      }
    }
    return checks.some((check) => check.status === "error") ? 1 : 0;
  },
};
