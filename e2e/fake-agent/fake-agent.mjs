#!/usr/bin/env node
// A scriptable stand-in for an AI agent, started by the dispatcher as a real worker process.
// It reads the worker environment (SWITCHYARD_TASK, SWITCHYARD_RUN_ID, …) and drives the board
// through the real `switchyard` CLI. See README.md next to this file for the modes.

import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const MODES = ["complete", "children", "phantom", "heartbeat", "block", "crash", "hang", "exit"];
const AFTER_REFUSAL = ["exit", "retry", "hang"];

const OPTIONS = {
  mode: { type: "string", default: "complete" },
  "per-task": { type: "boolean", default: false },
  trace: { type: "string" },
  cli: { type: "string" },
  delay: { type: "string", default: "0" },
  summary: { type: "string" },
  count: { type: "string", default: "2" },
  "after-refusal": { type: "string", default: "exit" },
  every: { type: "string", default: "1" },
  for: { type: "string", default: "3" },
  reason: { type: "string", default: "need a human decision" },
  code: { type: "string", default: "1" },
  signal: { type: "string" },
  "ignore-term": { type: "boolean", default: false },
  "on-term": { type: "string" },
  "print-context": { type: "boolean", default: false },
  later: { type: "string" },
  times: { type: "string", default: "1" },
  shell: { type: "string", multiple: true },
  receipts: { type: "string" },
};

function usage(message) {
  process.stderr.write(`fake-agent: ${message}\n`);
  process.exit(2);
}

/** The options, or an Error saying what is wrong with them. */
function parse(argv) {
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (!MODES.includes(values.mode)) return new Error(`unknown mode '${values.mode}'; use one of ${MODES.join(", ")}`);
    if (values.later !== undefined && !MODES.includes(values.later)) {
      return new Error(`unknown --later mode '${values.later}'; use one of ${MODES.join(", ")}`);
    }
    if (!AFTER_REFUSAL.includes(values["after-refusal"])) {
      return new Error(`unknown --after-refusal '${values["after-refusal"]}'; use one of ${AFTER_REFUSAL.join(", ")}`);
    }
    if (values.receipts !== undefined) {
      try {
        JSON.parse(values.receipts.replaceAll("%HEAD%", "0"));
      } catch {
        return new Error(`--receipts must be JSON (it may contain %HEAD%), got '${values.receipts}'`);
      }
    }
    return values;
  } catch (err) {
    return err;
  }
}

/** Splits `block --reason "need keys"` into words, honouring single and double quotes. */
function words(text) {
  const out = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** `mode: hang --ignore-term` on its own line in the task body picks the mode for that task. */
function modeLineOf(body) {
  const m = /^\s*mode:\s*(.+)$/im.exec(body ?? "");
  return m ? words(m[1].trim()) : null;
}

const env = process.env;
const task = env.SWITCHYARD_TASK ?? env.HERMES_KANBAN_TASK;
const runId = env.SWITCHYARD_RUN_ID ?? env.HERMES_KANBAN_RUN_ID;
if (!task) usage("SWITCHYARD_TASK is not set: run me as a worker started by the dispatcher");

let opts = parse(process.argv.slice(2));
if (opts instanceof Error) usage(opts.message);
const here = dirname(fileURLToPath(import.meta.url));
const cli = opts.cli ?? env.SWITCHYARD_CLI ?? join(here, "..", "..", "apps", "cli", "bin", "switchyard.mjs");
const tracePath = opts.trace ?? env.FAKE_AGENT_TRACE;

function trace(step, facts = {}) {
  if (!tracePath) return;
  const line = {
    t: Date.now(),
    pid: process.pid,
    task,
    run: runId === undefined ? null : Number(runId),
    step,
    ...facts,
  };
  appendFileSync(tracePath, `${JSON.stringify(line)}\n`);
}

/** Runs one CLI verb; returns {code, stdout, stderr}. */
function sy(...args) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  const result = { code: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout ?? "", stderr: (r.stderr ?? "").trim() };
  trace("cli", { args: args.slice(0, 1), code: result.code, stderr: result.stderr || undefined });
  return result;
}

function must(result, what) {
  if (result.code !== 0) {
    process.stderr.write(`fake-agent: ${what} failed (exit ${result.code}): ${result.stderr}\n`);
    trace("end", { how: "cli-failed", what });
    process.exit(3);
  }
  return result;
}

const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));
const num = (name) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n < 0) usage(`--${name} must be a number, got '${opts[name]}'`);
  return n;
};

const workspace = () => env.SWITCHYARD_WORKSPACE ?? env.HERMES_KANBAN_WORKSPACE ?? process.cwd();

/** `--shell "<snippet>"` (repeatable): each runs with /bin/sh in the workspace; a failure ends the agent with exit 1. */
function runShell() {
  for (const snippet of opts.shell ?? []) {
    const r = spawnSync("/bin/sh", ["-c", snippet], { cwd: workspace(), env, encoding: "utf8" });
    const code = r.status ?? 1;
    trace("shell", { snippet: snippet.slice(0, 200), code, stderr: (r.stderr ?? "").trim() || undefined });
    if (code !== 0) {
      process.stderr.write(`fake-agent: --shell exited ${code}: ${snippet}\n${r.stderr ?? ""}`);
      finish("shell-failed", 1);
    }
  }
}

/** `--receipts <json>` for `complete`, with `%HEAD%` replaced by the workspace's `git rev-parse HEAD`. */
function receiptsArgs() {
  if (opts.receipts === undefined) return [];
  let json = opts.receipts;
  if (json.includes("%HEAD%")) {
    const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: workspace(), encoding: "utf8" });
    if (r.status !== 0) {
      process.stderr.write(`fake-agent: --receipts names %HEAD% but git rev-parse HEAD failed: ${r.stderr}`);
      finish("no-head", 3);
    }
    json = json.replaceAll("%HEAD%", r.stdout.trim());
  }
  return ["--receipts", json];
}

function complete(extra = []) {
  const summary = opts.summary ?? `fake agent (pid ${process.pid}) finished ${task}`;
  return sy(
    "complete",
    task,
    "--summary",
    summary,
    "--result",
    `done by the fake agent in ${process.cwd()}`,
    "--metadata",
    JSON.stringify({ agent: "fake", pid: process.pid, mode: opts.mode }),
    ...receiptsArgs(),
    ...extra,
  );
}

/** How a completion that went through ended: `handed-in` when the board runs its checks first. */
const completedHow = (result) => (/^Handed in /m.test(result.stdout) ? "handed-in" : "completed");

function finish(how, code = 0) {
  trace("end", { how });
  process.exit(code);
}

async function main() {
  trace("start", { mode: opts.mode, cwd: process.cwd(), workspace: env.SWITCHYARD_WORKSPACE ?? null });
  if (opts["per-task"]) {
    const shown = must(sy("show", task, "--json"), "show");
    const line = modeLineOf(JSON.parse(shown.stdout).task?.body);
    if (line) {
      const chosen = parse(line[0].startsWith("--") ? line : ["--mode", ...line]);
      if (chosen instanceof Error) {
        trace("end", { how: "bad-mode-line", error: chosen.message });
        usage(`the task's mode line: ${chosen.message}`);
      }
      opts = chosen;
      trace("mode", { mode: opts.mode });
    }
  }
  if (opts.later !== undefined) {
    // `--mode X --times N --later Y`: the task's first N runs behave as X, later runs as Y.
    const shown = must(sy("show", task, "--json"), "show");
    const earlier = JSON.parse(shown.stdout).runs.filter((r) => String(r.id) !== String(runId)).length;
    if (earlier >= num("times")) {
      opts = { ...opts, mode: opts.later };
      trace("mode", { mode: opts.mode, earlier });
    }
  }
  if (opts["print-context"]) {
    // What the agent read first goes to its stdout, the task's worker log (the drawer shows it).
    const context = must(sy("context", task), "context");
    process.stdout.write(
      `fake-agent: the context I read (run ${runId ?? "?"}, mode ${opts.mode}):\n${context.stdout}\n`,
    );
  }
  if (num("delay") > 0) await sleep(num("delay"));
  runShell();

  if (opts["on-term"] || opts["ignore-term"]) {
    process.on("SIGTERM", () => {
      trace("sigterm");
      if (opts["on-term"] === "complete") {
        const r = complete();
        trace("late-complete", { code: r.code, stderr: r.stderr });
      }
      if (!opts["ignore-term"]) finish("sigterm", 143);
    });
  }

  switch (opts.mode) {
    case "complete": {
      must(sy("show", task), "show");
      must(sy("heartbeat", task, "--note", "working"), "heartbeat");
      const r = complete();
      if (r.code !== 0 && opts.receipts !== undefined && /could not be verified/.test(r.stderr)) {
        // Refused receipts: the same choices as after a refused card.
        trace("unverified-complete", { code: r.code, stderr: r.stderr });
        if (opts["after-refusal"] === "retry") return finish(completedHow(must(sy("complete", task), "complete")));
        if (opts["after-refusal"] === "hang") {
          trace("hanging");
          setInterval(() => {}, 1 << 30);
          return;
        }
        return finish("gave-up-after-refusal");
      }
      return finish(completedHow(must(r, "complete")));
    }
    case "children": {
      const ids = [];
      for (let i = 1; i <= num("count"); i++) {
        const r = must(
          sy("create", `child ${i} of ${task}`, "--parent", task, "--body", `follow-up ${i}`, "--json"),
          "create",
        );
        ids.push(JSON.parse(r.stdout).id);
      }
      trace("created", { ids });
      return finish(completedHow(must(complete(ids.flatMap((id) => ["--created-card", id])), "complete")));
    }
    case "phantom": {
      const phantom = "t_deadbeef";
      const r = complete(["--created-card", phantom]);
      trace("phantom-complete", { code: r.code, stderr: r.stderr });
      if (r.code === 0) return finish("phantom-accepted", 4);
      if (opts["after-refusal"] === "retry") {
        return finish(completedHow(must(complete(), "honest complete")));
      }
      if (opts["after-refusal"] === "hang") {
        // Stays on the task (its claim held) until someone reclaims it or reassigns it.
        trace("hanging");
        setInterval(() => {}, 1 << 30);
        return;
      }
      return finish("gave-up-after-refusal");
    }
    case "heartbeat": {
      const until = Date.now() + num("for") * 1000;
      while (Date.now() < until) {
        must(sy("heartbeat", task, "--note", "still working"), "heartbeat");
        await sleep(num("every"));
      }
      return finish(completedHow(must(complete(), "complete")));
    }
    case "block": {
      must(sy("block", task, opts.reason), "block");
      return finish("blocked");
    }
    case "crash": {
      if (opts.signal) {
        trace("end", { how: `killed-self-${opts.signal}` });
        process.kill(process.pid, opts.signal);
        await sleep(60);
      }
      return finish("crashed", num("code"));
    }
    case "hang": {
      trace("hanging");
      setInterval(() => {}, 1 << 30);
      return;
    }
    case "exit":
      return finish("exited-without-completing");
  }
}

main().catch((err) => {
  process.stderr.write(`fake-agent: ${err.stack ?? err}\n`);
  trace("end", { how: "error", error: String(err) });
  process.exit(5);
});
