#!/usr/bin/env node
/**
 * The `looplet` command of the npm package (`npx looplet run …`). Not part of
 * the JSR packages: there `cli.ts` and `@looplet/cli` are the entries.
 *
 * @module
 */
import process from "node:process";
import { main, programDependencies } from "../../cli/main.ts";

process.exit(await main(process.argv.slice(2), programDependencies()));
