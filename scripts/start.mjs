// `pnpm start`: build the dashboard when it is missing or older than its sources, then run
// `switchyard serve` (the CLI builds itself when stale) on the default home, passing on any
// arguments (`pnpm start --port 9000`; `pnpm demo` is `pnpm start --demo`). Ctrl-C or SIGTERM
// shuts the server down gracefully.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWebIfStale } from "./build-web.mjs";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));

const built = buildWebIfStale();
if (built !== 0) {
  process.stderr.write("switchyard: the dashboard did not build; fix the error above and run `pnpm start` again\n");
  process.exit(built);
}

// The server runs in its own process group, so a Ctrl-C reaches it once, through this script.
const server = spawn(process.execPath, [join(repo, "apps/cli/bin/switchyard.mjs"), "serve", ...process.argv.slice(2)], {
  cwd: repo,
  stdio: "inherit",
  detached: true,
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => server.kill(signal === "SIGHUP" ? "SIGTERM" : signal));
}
server.on("exit", (code, signal) => {
  process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
});
