import { registerBoards } from "./commands/boards.ts";
import { registerCompletion } from "./commands/completion.ts";
import { registerDispatch } from "./commands/dispatch.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerFailurePolicy } from "./commands/failure-policy.ts";
import { registerGc } from "./commands/gc.ts";
import { registerGuidance } from "./commands/guidance.ts";
import { registerInit } from "./commands/init.ts";
import { registerInspect } from "./commands/inspect.ts";
import { registerLifecycle } from "./commands/lifecycle.ts";
import { registerLinks } from "./commands/links.ts";
import { registerMcp } from "./commands/mcp.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerModel } from "./commands/model.ts";
import { registerNotify } from "./commands/notify.ts";
import { registerRecovery } from "./commands/recovery.ts";
import { registerRunner, registerServe } from "./commands/serve.ts";
import { registerStreams } from "./commands/streams.ts";
import { registerTasks } from "./commands/tasks.ts";
import { registerTransfer } from "./commands/transfer.ts";
import { registerVerification } from "./commands/verification.ts";
import { registerWrap } from "./commands/wrap.ts";
import type { RegisterVerbs } from "./context.ts";

/**
 * Every verb group of `switchyard`, in help order. To add verbs:
 *
 * 1. Write `commands/<group>.ts` exporting `export const registerX: RegisterVerbs = (program, cli) => { … }`
 *    that adds `program.command("verb")` with its arguments, options and `--help` text.
 * 2. In the action use the invocation's `cli` (context.ts): `await cli.kernel()` opens the board
 *    chosen by `--board`/env (initialising a fresh home), `cli.config()` reads config.yaml,
 *    `cli.identity()` is the default author, `cli.out`/`cli.print`/`cli.warn`/`cli.json` print.
 *    A verb is an adapter: parse its arguments, call one core command, format the answer. No
 *    SQL, no `k.write`, no rules (test/thin-adapters.test.ts checks).
 * 3. Errors: parse option values with the parsers in args.ts (a bad value exits 2); throw
 *    `UsageError` for other bad input (exit 2); let `CoreError` refusals propagate. errors.ts
 *    maps them in one place (EXIT_BY_CODE, HINT_BY_CODE, and the few verbs that word a refusal
 *    their own way): do not set exit codes or catch refusals yourself. A verb that runs until
 *    interrupted (tail, watch, serve) returns when it is done.
 * 4. Load heavy modules (the MCP SDK, the server) with `await import()` inside the action, so
 *    other verbs start fast. The CLI is bundled (scripts/build.mjs): code must not locate files
 *    relative to its own module.
 * 5. List the register function below.
 */
export const VERBS: readonly RegisterVerbs[] = [
  registerInit,
  registerBoards,
  registerTasks,
  registerLifecycle,
  registerRecovery,
  registerVerification,
  registerLinks,
  registerStreams,
  registerDispatch,
  registerFailurePolicy,
  registerModel,
  registerInspect,
  registerNotify,
  registerGc,
  registerTransfer,
  registerMigrate,
  registerGuidance,
  registerMcp,
  registerWrap,
  registerDoctor,
  registerServe,
  registerRunner,
  registerCompletion,
];
