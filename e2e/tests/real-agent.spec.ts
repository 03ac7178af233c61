import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { TaskDetail } from "@switchyard/contract";
import { INSTALL_TIMEOUT_MS, installAgent } from "../src/agents.ts";
import { card, column, openDashboard } from "../src/board.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../src/fake-anthropic.ts";
import { expect, test } from "../src/fixtures.ts";
import { processesOfHome, signal, waitUntil } from "../src/processes.ts";
import type { Switchyard } from "../src/switchyard.ts";

const TITLE = "Tidy the changelog";
const SUMMARY = "Read the task with kanban_show and tidied the changelog; nothing else changed.";
const RESULT = "changelog tidied";

test("a real agent: Claude Code from the npm registry, started by `preset: claude-code` alone, finishes a task against a scripted model", async ({
  page,
  switchyard,
}) => {
  // The first run downloads the pinned CLI (e2e/package.json, `switchyardAgents`).
  test.setTimeout(INSTALL_TIMEOUT_MS + 180_000);
  const claude = installAgent("@anthropic-ai/claude-code", "claude");

  const fake: FakeAnthropic = await startFakeAnthropic({ summary: SUMMARY, result: RESULT, finalText: "Done." });
  // Claude Code keeps its settings and session files under its config dir: a throwaway one.
  const agentHome = mkdtempSync(join(tmpdir(), "switchyard-e2e-claude-"));
  let sy: Switchyard | undefined;
  // The worker and what it started (Claude Code, its `switchyard mcp`): every process of the home but the server.
  const agentProcesses = () => (sy ? processesOfHome(sy.home).filter((pid) => pid !== sy?.pid) : []);
  try {
    sy = await switchyard.start({
      dispatch: { interval_seconds: 1, stop_grace_seconds: 1 },
      profiles: {
        coder: {
          // The preset builds the whole argv and the run's MCP configuration; the profile only
          // says where the model is, with a dummy key, and where the agent is installed.
          preset: "claude-code",
          env: {
            ANTHROPIC_BASE_URL: fake.url,
            ANTHROPIC_API_KEY: "sk-ant-e2e-dummy",
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
            CLAUDE_CONFIG_DIR: join(agentHome, ".claude"),
            HOME: agentHome,
            PATH: [claude.binDir, process.env.PATH ?? ""].join(delimiter),
          },
        },
      },
    });
    const server = sy;
    const { id } = server.cliJson("create", TITLE, "--assignee", "coder") as { id: string };
    const detail = async () => TaskDetail.parse(await server.api(`/tasks/${id}`));

    // The dispatcher starts `claude`; it calls kanban_show, then kanban_complete, through the
    // `switchyard mcp` server its per-run configuration names.
    // On failure, what the model endpoint, the worker and the board saw says why.
    const story = () =>
      [
        `The model endpoint saw:\n${fake.describe()}`,
        `The worker's log:\n${server.cli("log", id).stdout}`,
        `The task:\n${JSON.stringify(server.cliJson("show", id), null, 2)}`,
      ].join("\n\n");
    const settled = await expect
      .poll(async () => (await detail()).task.status, { timeout: 150_000 })
      .toMatch(/^(done|blocked)$/)
      .then(
        () => true,
        () => false,
      );
    const status = (await detail()).task.status;
    expect(status, settled && status === "done" ? undefined : story()).toBe("done");

    const { task, runs } = await detail();
    expect(task.result).toBe(RESULT);
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run?.outcome).toBe("completed");
    expect(run?.summary).toBe(SUMMARY);
    // The board recorded the agent's connection: Claude Code's MCP client and the tools it called
    // while the run was open (the completion, which ends the run, shows as its outcome above).
    expect(run?.metadata?.agent).toMatchObject({
      client: expect.stringMatching(/claude/i),
      tools: expect.arrayContaining(["kanban_show"]),
    });
    // The model was driven through its script, in order.
    // (Claude Code may defer MCP tools behind its ToolSearch tool, which the fake calls first then.)
    const turns = fake.requests.map((r) => r.answer).filter((a) => a && a !== "side" && a !== "tool_search");
    expect(turns, fake.describe()).toEqual(["kanban_show", "kanban_complete", "final"]);

    // Claude Code exits by itself after its last turn, with its MCP server.
    await expect.poll(() => agentProcesses().length, { timeout: 30_000 }).toBe(0);

    // The dashboard shows the card in Done.
    await openDashboard(page, server.url);
    await expect(card(column(page, "done"), TITLE)).toBeVisible();
    await test.info().attach("dashboard", { body: await page.screenshot(), contentType: "image/png" });
  } finally {
    // On a failure the agent may still run: stop it before its config dir is removed under it.
    for (const pid of agentProcesses()) signal(pid, "SIGKILL");
    await waitUntil(() => agentProcesses().length === 0, 15_000);
    await fake.close();
    rmSync(agentHome, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
});
