import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { Cli } from "../src/context.ts";
import { buildProgram } from "../src/program.ts";
import { type TestHome, tempHome } from "./cli.ts";

/** `switchyard completion bash|zsh|fish` (issue 15 item 5): generated from the program's verbs and options. */

/** Every command of the program with its options: [`boards list`, [`--all`, `--json`, …]]. */
function commandsOf(program: Command): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const child of cmd.commands) {
      const next = [...path, child.name()];
      out.push([next.join(" "), child.options.flatMap((o) => (o.long ? [o.long] : []))]);
      walk(child, next);
    }
  };
  walk(program, []);
  return out;
}

/** What bash offers for the words typed so far (the last one is being completed). */
function bashOffers(home: TestHome, script: string, words: string[]): string[] {
  const file = join(home.dir, "completion.bash");
  writeFileSync(file, script);
  const probe = [
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    "_switchyard",
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join("\n");
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", probe], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

describe("switchyard completion", () => {
  const program = buildProgram(() => ({}) as Cli);
  const commands = commandsOf(program);

  it.each(["bash", "zsh", "fish"])("prints a %s script that names every verb, subcommand and option", (shell) => {
    const home = tempHome();
    const script = home.ok(["completion", shell]);
    expect(commands.length).toBeGreaterThan(40);
    for (const [path, options] of commands) {
      const last = path.split(" ").at(-1) as string;
      expect(script, `${shell}: ${path}`).toContain(`'${last}'`);
      for (const option of options) {
        const spelt = shell === "fish" ? `-l '${option.slice(2)}'` : `'${option}`;
        expect(script, `${shell}: ${path} ${option}`).toContain(spelt);
      }
    }
    expect(script).toContain(shell === "fish" ? "complete -c sy -w switchyard" : "sy");
  });

  it("completes verbs, subcommands, options and choices in bash, past global options and option values", () => {
    const home = tempHome();
    const script = home.ok(["completion", "bash"]);
    const topLevel = program.commands.map((c) => c.name());
    expect(bashOffers(home, script, ["switchyard", ""])).toEqual(expect.arrayContaining([...topLevel, "help"]));
    expect(bashOffers(home, script, ["switchyard", "bo"])).toEqual(["boards"]);
    expect(bashOffers(home, script, ["sy", "--board", "ops", "boards", "l"])).toEqual(["list", "ls"]);
    expect(bashOffers(home, script, ["switchyard", "boards", "list", "--"])).toEqual([
      "--all",
      "--json",
      "--help",
      "--board",
    ]);
    expect(bashOffers(home, script, ["switchyard", "create", "--assignee", "alice", "--js"])).toEqual(["--json"]);
    expect(bashOffers(home, script, ["switchyard", "serve", "--log-level", ""])).toEqual([
      "debug",
      "info",
      "warn",
      "error",
    ]);
    expect(bashOffers(home, script, ["switchyard", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    // A free value (a title, a path) is left to the shell's default completion.
    expect(bashOffers(home, script, ["switchyard", "create", "--body", ""])).toEqual([]);
  });

  it("refuses a shell it has no script for with exit 2 and one line", () => {
    const r = tempHome().run(["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^switchyard: command-argument value 'tcsh' is invalid for argument 'shell'/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
