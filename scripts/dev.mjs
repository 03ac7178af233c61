// `pnpm dev`: the server (API, event stream, dispatcher) on 127.0.0.1:8420 and the Vite dev
// server for the dashboard with hot reload (http://localhost:5173, proxying /api to 8420).
// The home is `.switchyard-dev/` in the repository (ignored by git) unless SWITCHYARD_HOME is
// set, so development never touches ~/.switchyard. Ctrl-C stops both.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const env = { ...process.env, SWITCHYARD_HOME: process.env.SWITCHYARD_HOME || join(repo, ".switchyard-dev") };
process.stderr.write(
  `switchyard dev: home ${env.SWITCHYARD_HOME}; dashboard with hot reload at http://localhost:5173\n`,
);

const children = [
  spawn(process.execPath, [join(repo, "apps/cli/bin/switchyard.mjs"), "serve", "--port", "8420"], {
    cwd: repo,
    env,
    stdio: "inherit",
    detached: true,
  }),
  spawn(process.execPath, [join(repo, "apps/web/node_modules/vite/bin/vite.js")], {
    cwd: join(repo, "apps/web"),
    env,
    stdio: "inherit",
    detached: true,
  }),
];

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(signal, () => stop(signal === "SIGHUP" ? "SIGTERM" : signal));
let running = children.length;
for (const child of children) {
  child.on("exit", (code) => {
    running--;
    if (!stopping) {
      process.stderr.write(`switchyard dev: a process exited (code ${code}); stopping the other\n`);
      stop("SIGTERM");
    }
    if (running === 0) process.exit(code ?? 0);
  });
}
