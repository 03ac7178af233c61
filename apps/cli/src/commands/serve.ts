import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliServing, HostId, LOG_LEVELS, type LogLevel, type LogRecord } from "@switchyard/contract";
import type { Home } from "@switchyard/core";
import { createDemoHome, locateFakeAgent, removeDemoHome } from "@switchyard/runtime";
import { InvalidArgumentError, Option } from "commander";
import type { Cli, RegisterVerbs } from "../context.ts";
import { UsageError } from "../errors.ts";
import { jsonLine } from "../output.ts";

interface ServeOpts {
  host?: string;
  port?: number;
  dispatch: boolean;
  demo?: boolean;
  logLevel?: LogLevel;
  json?: boolean;
}

function logRecord(message: string, level: LogLevel): LogRecord {
  return { time: new Date().toISOString(), level, message };
}

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

/** `--demo`: a throwaway home seeded by the runtime's demo module, whose workers are this checkout's fake agent. */
function demoHome(cli: Cli): Promise<Home> {
  const agent = locateFakeAgent([dirname(fileURLToPath(import.meta.url)), process.cwd()]);
  if (!agent) {
    throw new UsageError(
      "--demo runs its workers with e2e/fake-agent/fake-agent.mjs of a Switchyard checkout, and none was found here",
    );
  }
  return createDemoHome({ agent: [process.execPath, agent], env: cli.env });
}

export const registerServe: RegisterVerbs = (program, cli) => {
  program
    .command("serve")
    .description("serve the dashboard, the API and the live event stream, and run the dispatcher")
    .option("--host <host>", "address to listen on (default: server.host in config.yaml, else 127.0.0.1)")
    .option("--port <port>", "port to listen on (default: server.port, else 8420; 0 picks a free port)", port)
    .option("--no-dispatch", "do not run the dispatcher inside the server")
    .option(
      "--demo",
      "serve a throwaway home seeded with the tutorial's stories and fake-agent workers (deleted on exit)",
    )
    .addOption(
      new Option(
        "--log-level <level>",
        "log this level and above on stderr; debug adds one line per request (default: SWITCHYARD_LOG_LEVEL, else info)",
      ).choices(LOG_LEVELS),
    )
    .option("--json", "print the URL as one JSON line on stdout, and log JSON lines {time, level, message} on stderr")
    .addHelpText(
      "after",
      "\nLog lines read `<ISO time> <level> <message>`.\n" +
        "A non-loopback --host needs a token (SWITCHYARD_TOKEN or server.token); browsers then open /?token=<token> once.",
    )
    .action(async (options: ServeOpts) => {
      const { startServer } = await import("@switchyard/server");
      const home = options.demo ? await demoHome(cli) : cli.home;
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          home,
          host: options.host,
          port: options.port,
          dispatch: options.dispatch ? undefined : false,
          logLevel: options.logLevel,
          // Without --json the server's own format: `<ISO time> <level> <message>`.
          log: options.json ? (message, level) => cli.warn(jsonLine(logRecord(message, level))) : undefined,
        });
      } catch (err) {
        // A refused bind exits 2 (errors.ts, BY_VERB).
        if (options.demo) await removeDemoHome(home);
        throw err;
      }
      const stopping = shutdownSignal();
      if (options.json) {
        cli.out(jsonLine({ url: server.url, home: home.root, demo: options.demo ?? false } satisfies CliServing));
      } else {
        cli.out(
          options.demo
            ? `Switchyard demo is serving ${server.url} (throwaway home ${home.root}, deleted when it stops); Ctrl-C stops it.`
            : `Switchyard is serving ${server.url} (home ${home.root}); Ctrl-C stops it.`,
        );
      }
      const signal = await stopping;
      server.log(`${signal}: shutting down`, "info");
      await server.close();
      // The demo's workers belong to its home: they are stopped, and the home deleted.
      if (options.demo) await removeDemoHome(home);
    });
};

interface RunnerOpts {
  hostId?: string;
  logLevel?: LogLevel;
  json?: boolean;
}

function hostId(text: string): string {
  const parsed = HostId.safeParse(text.trim());
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? "invalid host id");
  return parsed.data;
}

export const registerRunner: RegisterVerbs = (program, cli) => {
  program
    .command("runner")
    .description("run the dispatcher alone, with no HTTP: one of many hosts working the boards of one database")
    .option(
      "--host-id <id>",
      "this host's id on the boards (default: SWITCHYARD_HOST_ID, dispatch.host_id, the host name)",
      hostId,
    )
    .addOption(
      new Option(
        "--log-level <level>",
        "log this level and above on stderr (default: SWITCHYARD_LOG_LEVEL, else info)",
      ).choices(LOG_LEVELS),
    )
    .option("--json", "print {host_id, pid, home} as one JSON line on stdout, and log JSON lines on stderr")
    .addHelpText(
      "after",
      "\nEvery runner and server sharing a database (SWITCHYARD_DATABASE_URL or storage.url) needs its own host id.\n" +
        "A runner claims only tasks of profiles configured on its host, within dispatch.max_in_progress (the board's)\n" +
        "and dispatch.host_max_in_progress (its own); see docs/deployment.md.",
    )
    .action(async (options: RunnerOpts) => {
      const { startRunner } = await import("@switchyard/server");
      const runner = await startRunner({
        home: cli.home,
        hostId: options.hostId,
        logLevel: options.logLevel,
        log: options.json ? (message, level) => cli.warn(jsonLine(logRecord(message, level))) : undefined,
      });
      const stopping = shutdownSignal();
      if (options.json) {
        cli.out(jsonLine({ host_id: runner.hostId, pid: process.pid, home: cli.home.root }));
      } else {
        cli.out(`Switchyard runner ${runner.hostId} is dispatching (home ${cli.home.root}); Ctrl-C stops it.`);
      }
      const signal = await stopping;
      runner.log(`${signal}: shutting down`, "info");
      await runner.close();
    });
};
