import { type CliProfiles, PatchTaskBody, type ProfilePause, type ResumeProfileResponse } from "@switchyard/contract";
import { pausedProfiles, resumeProfile, setMaxRetries } from "@switchyard/core";
import { spawnableProfiles } from "@switchyard/runtime";
import { parseInput } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";
import { stamp } from "../output.ts";
import { taskResponse } from "../shapes.ts";

/**
 * Switchyard's failure policy at the CLI (decision 013): a task's own failure limit
 * (`retries`), and the profiles paused after repeated identical failures (`profiles`).
 */

/** `none`, `default`, `-` or `null` go back to `dispatch.failure_limit`. */
const CLEARS = new Set(["none", "default", "-", "null"]);

function pauseLine(p: ProfilePause): string {
  const task = p.task_id ? ` (tripped by ${p.task_id})` : "";
  return `PAUSED since ${stamp(p.paused_at)} after ${p.failures} identical failures${task}: ${p.fingerprint}`;
}

export const registerFailurePolicy: RegisterVerbs = (program, cli) => {
  program
    .command("retries")
    .description("set how many failures a task may have before it is given up (none: dispatch.failure_limit)")
    .argument("<id>", "the task")
    .argument("<n>", "1 or more, or none")
    .option("--json", "print the task as PATCH /tasks/:id returns it")
    .action(async (id: string, n: string, opts: { json?: boolean }) => {
      const raw = n.trim().toLowerCase();
      const { max_retries } = parseInput(
        PatchTaskBody,
        { max_retries: CLEARS.has(raw) ? null : Number(raw) },
        { max_retries: "<n>" },
      );
      const k = await cli.kernel();
      const task = await setMaxRetries(k, id, max_retries ?? null);
      if (opts.json) return cli.json(await taskResponse(k, task.id));
      cli.out(
        task.max_retries === null
          ? `${task.id} gives up at dispatch.failure_limit failures`
          : `${task.id} gives up after ${task.max_retries} failure(s)`,
      );
    });

  const profiles = program
    .command("profiles")
    .description("list profiles and resume one paused after repeated identical failures");

  profiles
    .command("list", { isDefault: true })
    .description("the spawnable profiles and the ones paused on this board")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const paused = await pausedProfiles(await cli.kernel());
      const spawnable = spawnableProfiles(cli.home, cli.config());
      const names = [...new Set([...spawnable, ...paused.map((p) => p.profile)])].sort();
      const rows = names.map((name) => ({
        name,
        spawnable: spawnable.includes(name),
        paused: paused.find((p) => p.profile === name) ?? null,
      }));
      if (opts.json) return cli.json({ profiles: rows } satisfies CliProfiles);
      if (rows.length === 0) return cli.out("(no profiles: add one under profiles in config.yaml)");
      for (const r of rows) {
        const state = r.paused ? pauseLine(r.paused) : r.spawnable ? "ok" : "not in config.yaml";
        cli.out(`${r.name.padEnd(16)} ${state}`);
      }
    });

  profiles
    .command("resume")
    .description("let the dispatcher spawn workers for a paused profile again")
    .argument("<name>", "the profile")
    .option("--json", "print {ok, profile, fingerprint} (as POST /profiles/:name/resume returns it)")
    .action(async (name: string, opts: { json?: boolean }) => {
      const pause = await resumeProfile(await cli.kernel(), name, cli.identity());
      if (opts.json) {
        return cli.json({
          ok: true,
          profile: pause.profile,
          fingerprint: pause.fingerprint,
        } satisfies ResumeProfileResponse);
      }
      cli.out(`Resumed ${pause.profile} on board ${await cli.boardSlug()} (it was paused on: ${pause.fingerprint})`);
    });
};
