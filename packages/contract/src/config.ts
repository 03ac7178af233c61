import * as z from "zod";
import { RequirementList, VerifyCommand } from "./receipts.ts";

const positiveInt = z.number().int().positive();

/**
 * What a profile's argv template may name: `{prompt}` is "work kanban task <id>", `{run_id}` the
 * run's id, `{mcp_config}` the path of the run's MCP configuration (the `mcpServers` JSON that
 * starts `switchyard mcp` for this run), `{model}` the task's model override, else the
 * profile's `model` (empty when neither is set), `{home}` the Switchyard home.
 */
export const COMMAND_PLACEHOLDERS = [
  "task_id",
  "profile",
  "workspace",
  "board",
  "prompt",
  "run_id",
  "mcp_config",
  "model",
  "home",
] as const;

/** The agent CLIs Switchyard knows how to start as workers (SPEC §14; docs/agents/<preset>.md). */
export const PRESETS = ["claude-code", "codex", "gemini", "opencode", "goose", "hermes", "aider"] as const;
export const Preset = z.enum(PRESETS);
export type Preset = z.infer<typeof Preset>;

/** A `{word}` in an argv item that is not one of the placeholders (a typo would pass silently). */
function unknownPlaceholder(arg: string): string | undefined {
  for (const m of arg.matchAll(/\{([a-z_]+)\}/g)) {
    if (!(COMMAND_PLACEHOLDERS as readonly string[]).includes(m[1] as string)) return m[0];
  }
  return undefined;
}

const commandArg = z
  .string()
  .min(1)
  .superRefine((arg, ctx) => {
    const bad = unknownPlaceholder(arg);
    if (bad) {
      ctx.addIssue({
        code: "custom",
        message: `unknown placeholder ${bad}; use {${COMMAND_PLACEHOLDERS.join("} {")}}`,
      });
    }
  });

/**
 * A profile: how the dispatcher starts a worker for tasks assigned to it (SPEC §4, §14). Either
 * a `preset` (an agent CLI Switchyard knows: it builds the argv, the model flag and the per-run
 * MCP configuration) or a raw `command` argv template, never both. `args` are extra argv items
 * for a preset (placeholders allowed), `model` the model a preset passes (a task's
 * `model_override` wins; `{model}` in a command).
 */
export const ProfileConfig = z
  .strictObject({
    /** argv template; placeholders {task_id} {profile} {workspace} {board} {prompt} {run_id} {mcp_config} {model} {home}. */
    command: z.array(commandArg).min(1).optional(),
    /** An agent CLI Switchyard knows how to start (docs/agents/<preset>.md). */
    preset: Preset.optional(),
    /** The model the worker runs with, unless the task names its own (`model_override`). */
    model: z.string().trim().min(1).optional(),
    /** Extra argv items a preset adds before its prompt (placeholders allowed). */
    args: z.array(commandArg).optional(),
    env: z.record(z.string(), z.string()).default({}),
    max_in_progress: positiveInt.optional(),
    /** The command the dashboard offers for "change this profile's model". */
    model_hint: z.string().optional(),
    /** What this profile's completions must prove (SPEC §12), on top of the board's and the task's. */
    require: RequirementList.optional(),
    /** The command the board runs to verify this profile's completions (a task's own wins). */
    verify: VerifyCommand.optional(),
  })
  .refine((p) => (p.command === undefined) !== (p.preset === undefined), {
    message: `a profile needs exactly one of \`command\` (an argv list) or \`preset\` (one of ${PRESETS.join(", ")})`,
  })
  .refine((p) => p.args === undefined || p.preset !== undefined, {
    message: "`args` adds to a preset's argv; with `command`, put the items in the command itself",
    path: ["args"],
  });
export type ProfileConfig = z.infer<typeof ProfileConfig>;

/** One check of `switchyard doctor` on a profile: binary, version, flags, auth, mcp (SPEC §14). */
export const DoctorCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

/** `switchyard doctor --json`: every spawnable profile and whether its worker could start and reach the board. */
export const DoctorReport = z.object({
  ok: z.boolean(),
  profiles: z.array(
    z.object({
      profile: z.string(),
      preset: Preset.nullable(),
      ok: z.boolean(),
      checks: z.array(DoctorCheck),
    }),
  ),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

export const ServerConfig = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8420),
  allowed_hosts: z.array(z.string().min(1)).default([]),
  token: z.string().min(1).optional(),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** A dispatcher host's id (SPEC §13): the host part of its claims' `host:pid`. */
export const HostId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "a host id is letters, digits, '.', '_' and '-' (at most 63)");

export const DispatchConfig = z.strictObject({
  in_server: z.boolean().default(true),
  interval_seconds: z.number().min(1).default(60),
  claim_ttl_seconds: positiveInt.default(900),
  failure_limit: positiveInt.default(3),
  max_in_progress: positiveInt.default(4),
  /** Seconds between SIGTERM and SIGKILL when a worker is stopped. */
  stop_grace_seconds: z.number().min(0).default(5),
  /**
   * The first wait after a worker exits 75 (rate-limited); it doubles with each rate limit in a
   * row, up to `rate_limit_backoff_max_seconds` (decision 013).
   */
  rate_limit_backoff_seconds: positiveInt.default(30),
  rate_limit_backoff_max_seconds: positiveInt.default(600),
  /**
   * Failed runs of one profile with the same error fingerprint, within 10 minutes and from more
   * than one task, that pause the profile (decision 013); 0 never pauses.
   */
  pause_after_failures: z.number().int().min(0).default(3),
  /**
   * This host's id on the boards it dispatches (SPEC §13): its claims are `<host_id>:<pid>`, and
   * only it judges and signals their pids. Default: `SWITCHYARD_HOST_ID`, else the host name.
   * Every dispatcher sharing a database needs its own.
   */
  host_id: HostId.optional(),
  /** This host's own cap on the workers it runs, under the board's `max_in_progress`. */
  host_max_in_progress: positiveInt.optional(),
  /**
   * How long a dispatcher host counts as alive after its heartbeat (renewed every third of it).
   * When it passes, the host is gone and the claims it held are released to other hosts.
   */
  host_lease_seconds: z.number().int().min(3).default(60),
});
export type DispatchConfig = z.infer<typeof DispatchConfig>;

/**
 * Dashboard defaults (reference §11 `GET /config`). Unknown keys are allowed here because a
 * Hermes home's config.yaml keeps its own dashboard settings in this section.
 */
export const DashboardConfig = z.looseObject({
  lane_by_profile: z.boolean().default(true),
  include_archived_by_default: z.boolean().default(false),
  render_markdown: z.boolean().default(true),
  default_tenant: z.string().default(""),
});
export type DashboardConfig = z.infer<typeof DashboardConfig>;

export const NOTIFY_PLATFORMS = ["webhook", "slack"] as const;
export const NotifyPlatform = z.enum(NOTIFY_PLATFORMS);
export type NotifyPlatform = z.infer<typeof NotifyPlatform>;

/** A home channel: where the dashboard's "notify" toggles subscribe a task. */
export const HomeChannel = z.strictObject({
  chat_id: z.string().min(1),
  thread_id: z.string().default(""),
  name: z.string().optional(),
});
export type HomeChannel = z.infer<typeof HomeChannel>;

export const NotifyConfig = z.strictObject({
  home: z.partialRecord(NotifyPlatform, HomeChannel).default({}),
  interval_seconds: z.number().min(0.1).default(5),
});
export type NotifyConfig = z.infer<typeof NotifyConfig>;

/** How a PostgreSQL URL starts (`SWITCHYARD_DATABASE_URL`, `storage.url`); anything else is refused. */
export const DATABASE_URL_PATTERN = /^postgres(ql)?:\/\//;

/**
 * Where boards live (SPEC §13): `url` (`postgres://…`) puts them in that PostgreSQL database, one
 * schema per board; none (or blank) keeps them in the home's SQLite files. `SWITCHYARD_DATABASE_URL`
 * wins over it.
 */
export const StorageConfig = z.strictObject({
  url: z
    .string()
    .trim()
    .refine((url) => url === "" || DATABASE_URL_PATTERN.test(url), {
      message: "must start with postgres:// or postgresql://",
    })
    .optional(),
});
export type StorageConfig = z.infer<typeof StorageConfig>;

/**
 * `<home>/config.yaml`. Switchyard's sections are strict, so a misspelt key is an error that
 * names it. Other top-level keys are left alone: under a Hermes home the same file holds
 * Hermes's own settings.
 */
export const Config = z.looseObject({
  server: ServerConfig.default(ServerConfig.parse({})),
  dispatch: DispatchConfig.default(DispatchConfig.parse({})),
  dashboard: DashboardConfig.default(DashboardConfig.parse({})),
  notify: NotifyConfig.default(NotifyConfig.parse({})),
  storage: StorageConfig.default(StorageConfig.parse({})),
  profiles: z.record(z.string(), ProfileConfig).default({}),
});
export type Config = z.infer<typeof Config>;

/** `GET /config` (reference §11). */
export const DashboardSettings = z.object({
  default_tenant: z.string(),
  lane_by_profile: z.boolean(),
  include_archived_by_default: z.boolean(),
  render_markdown: z.boolean(),
  /**
   * Switchyard: every spawnable profile with its `model_hint` (null when none is configured),
   * for the drawer's "change this profile's model" step. Optional so a Hermes-shaped answer
   * still parses.
   */
  profiles: z.array(z.object({ name: z.string(), model_hint: z.string().nullable() })).optional(),
  /** Switchyard: the absolute path of `<home>/config.yaml`, named by the default model hint. */
  config_path: z.string().optional(),
});
export type DashboardSettings = z.infer<typeof DashboardSettings>;
