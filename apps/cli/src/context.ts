import type { Config } from "@switchyard/contract";
import {
  closeCatalogs,
  type Env,
  type Home,
  type Kernel,
  openBoard,
  requireBoard,
  resolveHome,
} from "@switchyard/core";
import { gitProbe, loadConfig, storageHome } from "@switchyard/runtime";
import type { Command } from "commander";
import { identity, type WorkerScope, workerScope } from "./tools/scope.ts";

/**
 * What every verb needs, created once per invocation: the home, the board (from `--board`, the
 * env pins or the `current` file), the caller's identity and worker scope, and output.
 * The board is opened on first use and closed when the command ends.
 */
export interface Cli {
  readonly env: Env;
  /**
   * The home, with where its boards are (`SWITCHYARD_DATABASE_URL`, else `storage.url`, else its
   * SQLite files); worked out on first use, so a bad setting is the command's error.
   */
  readonly home: Home;
  /** The slug given with `--board`, or null for the active board. */
  boardOption(): string | null;
  /** The resolved board slug (does not open the board). */
  boardSlug(): Promise<string>;
  /** The board's kernel; the first call opens (and on a fresh home, initialises) the database. */
  kernel(): Promise<Kernel>;
  /** `<home>/config.yaml`, validated (read once). */
  config(): Config;
  /** The worker environment (task, run, profile, tenant). */
  scope(): WorkerScope;
  /** Default author, `created_by` and `--mine`: SWITCHYARD_PROFILE, else HERMES_PROFILE, else `user`. */
  identity(): string;
  /** One line (or block) on stdout. */
  out(text?: string): void;
  /** Text on stdout exactly as given (a log, the worker context), with no newline added. */
  print(text: string): void;
  /** One line on stderr. */
  warn(text: string): void;
  /** A `--json` result on stdout. */
  json(value: unknown): void;
  /** Closes the board, if it was opened. */
  close(): Promise<void>;
}

export function createCli(env: Env, boardOption: () => string | undefined): Cli {
  let home: Home | null = null;
  let kernel: Promise<Kernel> | null = null;
  let config: Config | null = null;
  let scope: WorkerScope | null = null;
  const cli: Cli = {
    env,
    get home() {
      home ??= storageHome(resolveHome(env));
      return home;
    },
    boardOption: () => boardOption() ?? null,
    boardSlug: () => requireBoard(cli.home, boardOption()),
    kernel() {
      kernel ??= openBoard(cli.home, boardOption(), { probe: gitProbe });
      return kernel;
    },
    config() {
      config ??= loadConfig(cli.home);
      return config;
    },
    scope() {
      scope ??= workerScope(env);
      return scope;
    },
    identity: () => identity(cli.scope(), "user"),
    out(text = "") {
      process.stdout.write(`${text}\n`);
    },
    print(text) {
      process.stdout.write(text);
    },
    warn(text) {
      process.stderr.write(`${text}\n`);
    },
    json(value) {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    async close() {
      const opening = kernel;
      kernel = null;
      // A board that failed to open has nothing to close (its error was reported already).
      const k = await opening?.catch(() => null);
      await k?.close();
      await closeCatalogs();
    },
  };
  return cli;
}

/**
 * A verb module's entry point: adds its commands to the program. `cli` is the invocation's
 * context; read it inside actions, not while registering.
 */
export type RegisterVerbs = (program: Command, cli: Cli) => void;
