import type { Kernel } from "./kernel.ts";
import { boundedJsonOrNull } from "./rows.ts";

/**
 * Whether a worker's agent reached the board (SPEC §14): `switchyard mcp`, started by the agent
 * from its per-run MCP configuration, records on the run when the agent connected (its MCP
 * `initialize`) and which tools it called successfully. A worker that exits without finishing can then be
 * reported as "never connected" with its last log lines instead of a bare protocol violation
 * (failures.ts).
 *
 * The record is the run's metadata under `agent`, shown with the run (`GET /tasks/:id`). These
 * writes append no event: they are bookkeeping of a run in progress, as frequent as tool calls,
 * and event kinds are a closed list every surface (the dashboard's live cache) handles one by
 * one. The failure they explain is an event, and its payload carries the verdict.
 */

/** The run-metadata key of the agent's connection record. */
export const AGENT_KEY = "agent";

/** What the board knows of the agent of one run. */
export interface AgentSession {
  /** The MCP client's name and version from `initialize` (`claude-code`, `codex-mcp-client`, …). */
  client: string | null;
  version: string | null;
  /** When it connected (Unix seconds). */
  connected_at: number;
  /** The board's tools it called, in the order of their first call. */
  tools: string[];
}

/** Bounds, so an agent cannot grow a run's metadata without limit. */
const NAME_MAX = 120;
const TOOLS_MAX = 40;

function clip(text: string | null | undefined): string | null {
  const t = text?.trim();
  return t ? t.slice(0, NAME_MAX) : null;
}

function metadataObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The `agent` record of a metadata object, when it has one of the right shape. */
export function agentSessionIn(metadata: Record<string, unknown> | null | undefined): AgentSession | null {
  const raw = metadata?.[AGENT_KEY];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const a = raw as Record<string, unknown>;
  return {
    client: typeof a.client === "string" ? a.client : null,
    version: typeof a.version === "string" ? a.version : null,
    connected_at: typeof a.connected_at === "number" ? a.connected_at : 0,
    tools: Array.isArray(a.tools) ? a.tools.filter((t): t is string => typeof t === "string") : [],
  };
}

/**
 * Changes the `agent` record of an open run of `taskId`; false (and nothing written) when the run
 * is not that task's, or has ended: a late call of a superseded agent changes nothing.
 */
async function updateSession(
  k: Kernel,
  taskId: string,
  runId: number,
  change: (session: AgentSession | null, now: number) => AgentSession | null,
): Promise<boolean> {
  return k.write(async (k) => {
    const run = await k.db.get<{ task_id: string; ended_at: number | null; metadata: string | null }>(
      "SELECT task_id, ended_at, metadata FROM task_runs WHERE id = ?",
      [runId],
    );
    if (!run || run.task_id !== taskId || run.ended_at !== null) return false;
    const metadata = metadataObject(run.metadata);
    const next = change(agentSessionIn(metadata), k.clock.now());
    if (next === null) return false;
    const text = boundedJsonOrNull("metadata", { ...metadata, [AGENT_KEY]: next });
    const changes = await k.db.run("UPDATE task_runs SET metadata = ? WHERE id = ? AND ended_at IS NULL", [
      text,
      runId,
    ]);
    return changes > 0;
  });
}

/**
 * The agent of `runId` connected to the board's tools (MCP `initialize`): records its client
 * name and version and the time. A second connection of the same run (an agent that restarts its
 * MCP server) keeps the tools already called.
 */
export function recordAgentConnection(
  k: Kernel,
  taskId: string,
  runId: number,
  client: { name?: string | null; version?: string | null },
): Promise<boolean> {
  return updateSession(k, taskId, runId, (session, now) => ({
    client: clip(client.name),
    version: clip(client.version),
    connected_at: now,
    tools: session?.tools ?? [],
  }));
}

/**
 * The agent of `runId` called `tool`: added to the run's list the first time (a connection
 * without an `initialize` seen is recorded too). Nothing is written when the tool is listed.
 */
export function recordAgentToolCall(k: Kernel, taskId: string, runId: number, tool: string): Promise<boolean> {
  const name = clip(tool);
  if (!name) return Promise.resolve(false);
  return updateSession(k, taskId, runId, (session, now) => {
    const current = session ?? { client: null, version: null, connected_at: now, tools: [] };
    if (current.tools.includes(name) || current.tools.length >= TOOLS_MAX) return null;
    return { ...current, tools: [...current.tools, name] };
  });
}

/** The agent record of a run, or null when its agent never connected (or the run is unknown). */
export async function agentSessionOf(k: Kernel, runId: number): Promise<AgentSession | null> {
  const run = await k.db.get<{ metadata: string | null }>("SELECT metadata FROM task_runs WHERE id = ?", [runId]);
  return run ? agentSessionIn(metadataObject(run.metadata)) : null;
}

/** The longest log line quoted in a verdict. */
const QUOTED_LINE_MAX = 160;

/**
 * What a worker's agent did, for the error of a run that ended without completing or blocking:
 * never connected (with the last lines it logged), connected but called no tool, or called some
 * but neither `kanban_complete` nor `kanban_block`.
 */
export function agentVerdict(session: AgentSession | null, logTail: readonly string[] = []): string {
  if (!session) {
    const lines = logTail.map((l) =>
      JSON.stringify(l.length > QUOTED_LINE_MAX ? `${l.slice(0, QUOTED_LINE_MAX - 1)}…` : l),
    );
    return lines.length > 0
      ? `the agent never connected to the board's tools; its last log lines: ${lines.join(" | ")}`
      : "the agent never connected to the board's tools, and logged nothing";
  }
  const who = session.client ? ` (${session.client})` : "";
  if (session.tools.length === 0) return `the agent connected to the board's tools${who} but called none of them`;
  return `the agent${who} called ${session.tools.join(", ")} but neither kanban_complete nor kanban_block`;
}
