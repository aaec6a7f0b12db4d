// A module tool in plain JavaScript (runs under Deno and Node).
import { execFile } from "node:child_process";

function git(args, cwd, signal) {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, signal, maxBuffer: 4_000_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** List recent commits. */
export async function execute({ count = 10 }, ctx) {
  const text = await git(
    ["log", `-n${count}`, "--date=short", "--format=%h%x09%an%x09%ad%x09%s"],
    ctx.workspace,
    ctx.signal,
  );
  const commits = text.split("\n").filter((line) => line !== "").map((line) => {
    const [hash, author, date, ...subject] = line.split("\t");
    return { hash, author, date, subject: subject.join("\t") };
  });
  return { commits };
}
