import { isCoreError } from "@switchyard/core";
import { InvalidArgumentError } from "commander";
import type { RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";

function port(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError("--port must be a whole number from 0 to 65535 (0 picks a free port)");
  }
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export const registerServe: RegisterVerbs = (program, cli) => {
  program
    .command("serve")
    .description("serve the dashboard, the API and the live event stream, and run the dispatcher")
    .option("--host <host>", "address to listen on (default: server.host in config.yaml, else 127.0.0.1)")
    .option("--port <port>", "port to listen on (default: server.port, else 8420; 0 picks a free port)", port)
    .option("--no-dispatch", "do not run the dispatcher inside the server")
    .addHelpText(
      "after",
      "\nA non-loopback --host needs a token (SWITCHYARD_TOKEN or server.token); browsers then open /?token=<token> once.",
    )
    .action(async (options: { host?: string; port?: number; dispatch: boolean }) => {
      const { startServer } = await import("@switchyard/server");
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          home: cli.home,
          host: options.host,
          port: options.port,
          dispatch: options.dispatch ? undefined : false,
          log: (message) => cli.warn(message),
        });
      } catch (err) {
        // A refused bind (no token for a public address, a port in use) is a usage problem.
        if (isCoreError(err, "invalid_input")) throw new UsageError(err.message);
        throw err;
      }
      const stopping = shutdownSignal();
      cli.out(`Switchyard is serving ${server.url} (home ${cli.home.root}); Ctrl-C stops it.`);
      const signal = await stopping;
      cli.warn(`${signal}: shutting down`);
      await server.close();
    });
};
