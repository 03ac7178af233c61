import {
  type CliShow,
  CommentBody,
  type CommentResult,
  CreateTaskBody,
  PatchTaskBody,
  type Requirement,
  type Task,
  type TaskDetail,
  type TaskStatus,
  type WorkspaceKind,
} from "@switchyard/contract";
import {
  addComment,
  assignTask,
  createTask,
  listBoards,
  listTasks,
  recomputeReady,
  taskDetail,
} from "@switchyard/core";
import { configPath, spawnableProfiles } from "@switchyard/runtime";
import { Option } from "commander";
import {
  absolutePath,
  collect,
  duration,
  nameList,
  parseInput,
  taskStatus,
  wholeNumber,
  workspaceSpec,
} from "../args.ts";
import type { Cli, RegisterVerbs } from "../context.ts";
import { elapsed, eventLine, indent, refusedClaims, stamp, statusIcon, taskLine } from "../output.ts";
import { cliRun, cliTask, shortComment, shortEvent, taskResponse } from "../shapes.ts";

/** create, list, show, assign and comment (reference §10.2). */

const SHOW_EVENTS = 20;

/** A ready, assigned task whose assignee the dispatcher cannot start gets a warning (reference §5.5). */
function spawnWarning(cli: Cli, task: Task): string | null {
  if (task.status !== "ready" || !task.assignee) return null;
  let profiles: string[];
  try {
    profiles = spawnableProfiles(cli.home, cli.config());
  } catch (err) {
    return `⚠ ${(err as Error).message}`;
  }
  if (profiles.includes(task.assignee)) return null;
  return (
    `⚠ no profile '${task.assignee}' in ${configPath(cli.home)}: the dispatcher will not start a worker for ${task.id}; ` +
    `pull it with \`switchyard claim ${task.id}\` or reassign it`
  );
}

function showJson(detail: TaskDetail): CliShow {
  return {
    task: cliTask(detail.task),
    parents: detail.links.parents,
    children: detail.links.children,
    comments: detail.comments.map(shortComment),
    events: detail.events.map(shortEvent),
    runs: detail.runs.map(cliRun),
  };
}

function showText(cli: Cli, detail: TaskDetail, now: number): void {
  const { task, links, comments, runs } = detail;
  const field = (name: string, value: string) => cli.out(`  ${`${name}:`.padEnd(11)} ${value}`);
  cli.out(`${statusIcon(task.status)} ${task.id}  ${task.title}`);
  field("status", task.status);
  field("assignee", task.assignee ?? "(unassigned)");
  field("priority", String(task.priority));
  if (task.tenant) field("tenant", task.tenant);
  field("workspace", `${task.workspace_kind} @ ${task.workspace_path ?? "(unresolved)"}`);
  field("created", `${stamp(task.created_at)} by ${task.created_by ?? "?"} (${elapsed(now - task.created_at)} ago)`);
  if (task.started_at !== null) field("started", `${stamp(task.started_at)} (${elapsed(now - task.started_at)} ago)`);
  if (task.completed_at !== null) field("completed", stamp(task.completed_at));
  if (task.claim_lock) field("claim", `${task.claim_lock} until ${stamp(task.claim_expires)}`);
  if (task.max_runtime_seconds !== null) field("max run", elapsed(task.max_runtime_seconds));
  if (task.max_retries !== null) field("retries", `gives up after ${task.max_retries} failure(s)`);
  if (task.model_override) field("model", `${task.model_override} (this task's own)`);
  if (task.retry_after !== null && task.retry_after > now) {
    field("backoff", `rate-limited; claimable again at ${stamp(task.retry_after)}`);
  }
  if (task.skills && task.skills.length > 0) field("skills", task.skills.join(", "));
  if (task.require && task.require.length > 0) field("requires", task.require.join(", "));
  if (task.verify_command) field("verify", task.verify_command);
  if (task.repo) field("repo", task.repo);
  if (task.base_ref) field("base ref", task.base_ref);
  if (detail.diff) {
    const d = detail.diff;
    field(
      "diff",
      `${d.branch}: ${d.files_changed} file(s), +${d.insertions} -${d.deletions} since ${d.base_commit.slice(0, 12)}`,
    );
  }
  if (links.parents.length > 0) field("parents", links.parents.join(", "));
  if (links.children.length > 0) field("children", links.children.join(", "));
  if (task.body?.trim()) cli.out(`\nBody:\n${indent(task.body)}`);
  if (task.result?.trim()) cli.out(`\nResult:\n${indent(task.result)}`);
  if (comments.length > 0) {
    cli.out(`\nComments (${comments.length}):`);
    for (const c of comments) cli.out(`  ${stamp(c.created_at)} ${c.author}:\n${indent(c.body, "    ")}`);
  }
  const events = detail.events.slice(-SHOW_EVENTS);
  cli.out(`\nEvents (last ${events.length}):`);
  for (const e of events) cli.out(`  ${eventLine(e)}`);
  if (runs.length > 0) {
    cli.out(`\nRuns (${runs.length}):`);
    for (const r of runs) {
      const took = elapsed((r.ended_at ?? now) - r.started_at);
      cli.out(`  #${r.id} ${r.outcome ?? r.status} ${r.profile ?? "-"} ${took} (${stamp(r.started_at)})`);
      if (r.summary) cli.out(`    → ${r.summary.split(/\r?\n/, 1)[0]}`);
      if (r.error) cli.out(`    ✖ ${r.error}`);
      if (r.proof?.verifying) cli.out("    … the board is running its checks on the completion");
      const refused = r.proof?.receipts?.filter((v) => !v.ok) ?? [];
      if (refused.length > 0) cli.out(`    ✖ refused: ${refusedClaims(refused)}`);
      for (const check of r.proof?.checks ?? []) {
        const got = check.timed_out ? "timed out" : `exit ${check.exit_code ?? "-"}`;
        cli.out(
          `    ${check.ok ? "✓" : "✖"} ${check.source} \`${check.command}\`: ${got} (expected ${check.expected_exit})`,
        );
      }
    }
  }
}

interface CreateOpts {
  body?: string;
  assignee?: string;
  parent?: string[];
  workspace?: { kind: WorkspaceKind; path: string | null };
  tenant?: string;
  priority?: number;
  triage?: boolean;
  idempotencyKey?: string;
  maxRuntime?: number;
  maxRetries?: number;
  model?: string;
  createdBy?: string;
  skill?: string[];
  require?: string[];
  verify?: string;
  repo?: string;
  baseRef?: string;
  json?: boolean;
}

interface ListOpts {
  mine?: boolean;
  assignee?: string;
  status?: TaskStatus;
  tenant?: string;
  archived?: boolean;
  json?: boolean;
}

/** The flags of `create`, by the field of the API's create body they fill. */
const CREATE_FLAGS: Record<string, string> = {
  title: "<title>",
  parents: "--parent",
  workspace_kind: "--workspace",
  workspace_path: "--workspace",
  max_runtime_seconds: "--max-runtime",
  skills: "--skill",
  model_override: "--model",
  verify_command: "--verify",
};

export const registerTasks: RegisterVerbs = (program, cli) => {
  program
    .command("create")
    .description("create a task")
    .argument("<title...>", "the task's title")
    .option("--body <text>", "the opening post (markdown)")
    .option("--assignee <profile>", "the profile that should do it")
    .option("--parent <id>", "a task that must be done first (repeatable)", collect)
    .option("--workspace <kind>", "scratch, worktree or dir:<absolute path>", workspaceSpec)
    .option("--tenant <name>", "a namespace within the board")
    .option("--priority <n>", "higher is dispatched first (default 0)", wholeNumber("--priority"))
    .option("--triage", "park it in triage (never dispatched until moved)")
    .option("--idempotency-key <key>", "return the existing task with this key instead of creating another")
    .option("--max-runtime <duration>", "stop the worker after this long: seconds, or 30s, 5m, 2h, 1d", duration)
    .option("--max-retries <n>", "give up after this many failures (default: dispatch.failure_limit)", Number)
    .option("--model <name>", "the model its worker runs with, instead of the profile's (see `switchyard model`)")
    .option("--created-by <name>", "the author (default: your profile, else user)")
    .option("--skill <name>", "an extra skill for the worker (repeatable)", collect)
    .option(
      "--require <list>",
      "what its completion must prove, comma-separated: commits, files, branch, artifacts, clean_tree, verify",
      nameList,
    )
    .option("--verify <command>", "a shell command the board runs in the workspace before it counts as done")
    .option("--repo <path>", "the repository its worktree is made from (default: the board's policy)", absolutePath)
    .option("--base-ref <rev>", "the revision its branch starts from (default: the board's policy, else HEAD)")
    .option("--json", "print the task as JSON")
    .action(async (words: string[], opts: CreateOpts) => {
      const input = parseInput(
        CreateTaskBody,
        {
          title: words.join(" "),
          body: opts.body ?? null,
          assignee: opts.assignee ?? null,
          parents: opts.parent ?? [],
          workspace_kind: opts.workspace?.kind ?? "scratch",
          workspace_path: opts.workspace?.path ?? null,
          tenant: opts.tenant ?? null,
          priority: opts.priority ?? 0,
          triage: opts.triage ?? false,
          idempotency_key: opts.idempotencyKey ?? null,
          max_runtime_seconds: opts.maxRuntime ?? null,
          skills: opts.skill ?? null,
          max_retries: opts.maxRetries ?? null,
          model_override: opts.model ?? null,
          // The names as typed: the schema checks them.
          require: (opts.require as Requirement[] | undefined) ?? null,
          verify_command: opts.verify ?? null,
          repo: opts.repo ?? null,
          base_ref: opts.baseRef ?? null,
        },
        CREATE_FLAGS,
      );
      const { task, created } = await createTask(await cli.kernel(), {
        ...input,
        created_by: opts.createdBy ?? cli.identity(),
      });
      if (opts.json) return cli.json(cliTask(task));
      cli.out(
        `${created ? "Created" : "Exists (same idempotency key):"} ${task.id}  (${task.status}, assignee=${task.assignee ?? "-"})`,
      );
      const warning = spawnWarning(cli, task);
      if (warning) cli.warn(warning);
    });

  program
    .command("list")
    .alias("ls")
    .description("list tasks (promotes todo tasks whose parents are done first)")
    .addOption(new Option("--mine", "only tasks assigned to your profile").conflicts("assignee"))
    .option("--assignee <profile>", "only this assignee's tasks")
    .option("--status <status>", "only this status", taskStatus)
    .option("--tenant <name>", "only this tenant")
    .option("--archived", "include archived tasks")
    .option("--json", "print JSON")
    .action(async (opts: ListOpts) => {
      const k = await cli.kernel();
      await recomputeReady(k);
      const tasks = await listTasks(k, {
        assignee: opts.mine ? cli.identity() : (opts.assignee ?? null),
        status: opts.status ?? null,
        tenant: opts.tenant ?? null,
        includeArchived: opts.archived ?? false,
      });
      if (opts.json) return cli.json(tasks.map(cliTask));
      const others = (await listBoards(cli.home)).length - 1;
      if (others > 0)
        cli.out(`Board: ${k.paths.slug} (${others} other board${others === 1 ? "" : "s"}; see boards list)`);
      if (tasks.length === 0) return cli.out("(no matching tasks)");
      for (const t of tasks) cli.out(taskLine(t));
    });

  program
    .command("show")
    .description("show a task with its comments, events and runs")
    .argument("<id>", "the task")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      const k = await cli.kernel();
      const detail = await taskDetail(k, id);
      if (opts.json) return cli.json(showJson(detail));
      showText(cli, detail, k.clock.now());
    });

  program
    .command("assign")
    .description("assign a task to a profile (none, - or null unassigns)")
    .argument("<id>", "the task")
    .argument("<profile>", "the profile, or none")
    .option("--json", "print the task as PATCH /tasks/:id returns it")
    .action(async (id: string, profile: string, opts: { json?: boolean }) => {
      const unassign = ["none", "-", "null", ""].includes(profile.trim().toLowerCase());
      const { assignee } = parseInput(
        PatchTaskBody,
        { assignee: unassign ? null : profile },
        { assignee: "<profile>" },
      );
      const k = await cli.kernel();
      const task = await assignTask(k, id, assignee ?? null);
      if (opts.json) return cli.json(await taskResponse(k, task.id));
      cli.out(task.assignee ? `Assigned ${task.id} to ${task.assignee}` : `Unassigned ${task.id}`);
    });

  program
    .command("comment")
    .description("add a comment to a task")
    .argument("<id>", "the task")
    .argument("<text...>", "the comment")
    .option("--author <name>", "the author (default: your profile, else user)")
    .option("--json", "print {ok, task_id, comment_id} (as kanban_comment returns it)")
    .action(async (id: string, words: string[], opts: { author?: string; json?: boolean }) => {
      const input = parseInput(
        CommentBody,
        { body: words.join(" "), author: opts.author ?? cli.identity() },
        { body: "<text>" },
      );
      const comment = await addComment(await cli.kernel(), id, input.author, input.body);
      if (opts.json) return cli.json({ ok: true, task_id: id, comment_id: comment.id } satisfies CommentResult);
      cli.out(`Commented on ${id} (#${comment.id})`);
    });
};
