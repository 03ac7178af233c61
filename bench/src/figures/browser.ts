import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startServer } from "@switchyard/server";
import { chromium, type Page } from "playwright-core";
import { repoRoot, reportOf, startWorker } from "../processes.ts";
import { type Figure, figure, median, p95, progress, round } from "../report.ts";
import { dbPathOf, freshHome, seedMixedBoard } from "../seed.ts";

/**
 * Figure 5: the SPA, built from the current sources (into a temporary directory, so the
 * checkout's `apps/web/dist` is left alone) and served by a real server, loaded in Chromium
 * with a 2,000-card board, in a fresh browser context each time (a cold load). Measured inside
 * the page from navigation start: when every column shows its count and the first cards are in
 * the DOM ("rendered"), and when a click on a card, issued as soon as the board is rendered,
 * has opened its drawer ("interactive"). Also the gzipped size of the SPA's JavaScript.
 */

const CARDS = 2_000;
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const LIVE_WRITES = 30;
/** Dashboard writes (a card moved from triage to todo by keyboard) whose board reloads are counted. */
const CLICKS = 10;
const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Watches the DOM from the first script on and records when the board is rendered and the drawer opens. */
const PROBE = `(() => {
  const marks = { rendered: null, pointer: null, drawer: null, cards: 0 };
  window.__bench = marks;
  const check = () => {
    if (marks.rendered === null) {
      const counts = [...document.querySelectorAll(".sy-column-count")]
        .filter((el) => el.closest(".sy-column-head"))
        .map((el) => parseInt(el.textContent || "0", 10));
      const total = counts.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
      if (total > 0 && document.querySelector("article[data-task-id]")) {
        marks.rendered = performance.now();
        marks.cards = total;
      }
    }
    if (marks.pointer !== null && marks.drawer === null && document.querySelector('[role="dialog"]')) {
      marks.drawer = performance.now();
    }
  };
  const seen = {};
  window.__seen = seen;
  const note = (node) => {
    if (node.nodeType !== 1) return;
    const at = performance.timeOrigin + performance.now();
    const cards = node.matches("article[data-task-id]") ? [node] : node.querySelectorAll("article[data-task-id]");
    for (const card of cards) seen[card.dataset.taskId] ??= at;
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) note(n);
    check();
  }).observe(document, { childList: true, subtree: true, characterData: true });
  addEventListener("pointerdown", () => { if (marks.pointer === null) marks.pointer = performance.now(); }, true);
})();`;

interface Marks {
  rendered: number | null;
  pointer: number | null;
  drawer: number | null;
  cards: number;
}

function buildSpa(): string {
  const outDir = mkdtempSync(join(tmpdir(), "switchyard-bench-web-"));
  execFileSync(
    process.execPath,
    [
      join(repoRoot, "apps", "web", "node_modules", "vite", "bin", "vite.js"),
      "build",
      "--outDir",
      outDir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    {
      cwd: join(repoRoot, "apps", "web"),
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  return outDir;
}

interface JsSize {
  gzip: number;
  raw: number;
  files: number;
}

/** Gzipped (level 9) and raw sizes of the SPA's JavaScript: what `index.html` loads, and the lazy chunks. */
function gzippedJs(dir: string): { initial: JsSize; lazy: JsSize } {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const initialNames = new Set([...html.matchAll(/\/assets\/([^"]+\.js)"/g)].map((m) => m[1]));
  const initial: JsSize = { gzip: 0, raw: 0, files: 0 };
  const lazy: JsSize = { gzip: 0, raw: 0, files: 0 };
  for (const name of readdirSync(join(dir, "assets"))) {
    if (!name.endsWith(".js")) continue;
    const bytes = readFileSync(join(dir, "assets", name));
    const into = initialNames.has(name) ? initial : lazy;
    into.raw += bytes.length;
    into.gzip += gzipSync(bytes, { level: 9 }).length;
    into.files++;
  }
  return { initial, lazy };
}

/**
 * Writes from another process while the board is open: each new card (with a priority above
 * every card before it, so it lands at the top of its column, in view) is timed from its commit to its appearance in the DOM, and
 * every `GET /board` the page makes meanwhile is counted (a live event must never reload it).
 */
async function liveWrites(
  page: Page,
  homeRoot: string,
  writes: number,
): Promise<{ latencies: number[]; boardReloads: number; taskFetches: number }> {
  let boardReloads = 0;
  let taskFetches = 0;
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path === "/api/plugins/kanban/board") boardReloads++;
    else if (path.startsWith("/api/plugins/kanban/tasks/")) taskFetches++;
  });
  const writer = startWorker("writer.ts", [homeRoot, String(writes), "1000"]);
  const commits = new Map<string, number>();
  writer.onLine((line) => {
    const c = JSON.parse(line) as { task_id?: string; committed_at?: number };
    if (c.task_id && c.committed_at) commits.set(c.task_id, c.committed_at);
  });
  await writer.ready;
  writer.child.stdin?.end("go\n");
  reportOf(await writer.done);
  const ids = [...commits.keys()];
  await page.waitForFunction(
    (wanted) => wanted.every((id) => (globalThis as unknown as { __seen: Record<string, number> }).__seen[id]),
    ids,
    { timeout: 60_000 },
  );
  const seen = await page.evaluate(() => (globalThis as unknown as { __seen: Record<string, number> }).__seen);
  return {
    latencies: ids.map((id) => (seen[id] as number) - (commits.get(id) as number)),
    boardReloads,
    taskFetches,
  };
}

/**
 * Dashboard writes on the open board: `clicks` times, the first triage card is moved to todo with
 * the keyboard (Space, Right, Space: a PATCH), timed from the drop until its card is in the todo
 * column and the server has answered; every `GET /board` the page makes from the first move until
 * the network is quiet after the last is counted (0: the answer and the event update the cache).
 */
async function dashboardClicks(
  page: Page,
  clicks: number,
): Promise<{ latencies: number[]; boardReloads: number; moved: number }> {
  let boardReloads = 0;
  page.on("request", (request) => {
    if (request.method() === "GET" && new URL(request.url()).pathname === "/api/plugins/kanban/board") boardReloads++;
  });
  const latencies: number[] = [];
  for (let i = 0; i < clicks; i++) {
    const card = page.locator('[data-column="triage"] article[data-task-id]').first();
    const id = await card.getAttribute("data-task-id");
    if (!id) throw new Error("no triage card left to move");
    await card.focus();
    await page.keyboard.press("Space");
    // As e2e/src/board.ts does: dnd-kit listens for arrows from a task it queues on pick-up.
    await page
      .getByText(/ is over Triage\.$/)
      .first()
      .waitFor({ state: "attached" });
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    await page.keyboard.press("ArrowRight");
    await page
      .getByText(/ is over Todo\.$/)
      .first()
      .waitFor({ state: "attached" });
    const answered = page.waitForResponse(
      (r) => r.request().method() === "PATCH" && new URL(r.url()).pathname === `/api/plugins/kanban/tasks/${id}`,
    );
    answered.catch(() => {});
    const started = performance.now();
    await page.keyboard.press("Space");
    await page.locator(`[data-column="todo"] article[data-task-id="${id}"]`).waitFor({ timeout: 60_000 });
    const response = await answered;
    if (!response.ok()) throw new Error(`the move of ${id} was refused: ${response.status()}`);
    latencies.push(performance.now() - started);
  }
  await page.waitForLoadState("networkidle");
  return { latencies, boardReloads, moved: latencies.length };
}

export async function browserFigures(quick: boolean): Promise<Figure[]> {
  progress("browser: building the SPA");
  const webRoot = buildSpa();
  const js = gzippedJs(webRoot);
  const home = await freshHome();
  seedMixedBoard(dbPathOf(home), quick ? 200 : CARDS, { archived: false });
  const server = await startServer({ home, port: 0, dispatch: false, webRoot, log: () => {} });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const rendered: number[] = [];
  const interactive: number[] = [];
  const clicks: number[] = [];
  let cards = 0;
  let live: Awaited<ReturnType<typeof liveWrites>> | null = null;
  let writes: Awaited<ReturnType<typeof dashboardClicks>> | null = null;
  try {
    for (let i = 0; i < (quick ? 2 : LOADS); i++) {
      progress(`browser: cold load ${i + 1}`);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(PROBE);
      const page = await context.newPage();
      await page.goto(`${server.url}/?board=default`);
      await page.waitForFunction(() => (globalThis as unknown as { __bench: Marks }).__bench.rendered !== null, null, {
        timeout: 60_000,
      });
      await page.locator("article[data-task-id]").first().click();
      await page.getByRole("dialog").waitFor({ timeout: 60_000 });
      const marks = await page.evaluate(() => (globalThis as unknown as { __bench: Marks }).__bench);
      if (marks.rendered === null || marks.drawer === null) throw new Error("the page never rendered the board");
      rendered.push(marks.rendered);
      interactive.push(marks.drawer);
      if (marks.pointer !== null) clicks.push(marks.drawer - marks.pointer);
      cards = marks.cards;
      await context.close();
    }
    progress("browser: live writes from another process into the open board");
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    await page.goto(`${server.url}/?board=default`);
    await page.getByRole("status", { name: /Live updates: live/i }).waitFor({ timeout: 60_000 });
    live = await liveWrites(page, home.root, quick ? 5 : LIVE_WRITES);
    progress("browser: dashboard writes (keyboard moves) on the open board");
    writes = await dashboardClicks(page, quick ? 3 : CLICKS);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(webRoot, { recursive: true, force: true });
  }
  return [
    figure("spa_2000_cards_rendered", median(rendered), "ms", null, {
      cards,
      loads: rendered.length,
      max: round(Math.max(...rendered)),
      from: "navigation start",
    }),
    figure("spa_2000_cards_interactive", median(interactive), "ms", null, {
      cards,
      loads: interactive.length,
      max: round(Math.max(...interactive)),
      measure: "navigation start until a click on a card (issued once rendered) has opened its drawer",
      click_to_drawer_ms: clicks.length > 0 ? round(median(clicks)) : null,
    }),
    figure("commit_to_screen", median(live?.latencies ?? [0]), "ms", null, {
      p95: round(p95(live?.latencies ?? [0])),
      writes: live?.latencies.length ?? 0,
      board_reloads: live?.boardReloads ?? null,
      task_fetches: live?.taskFetches ?? null,
      measure:
        "commit in another process until the new card is in the DOM (the event applied at the next animation frame, then the new card's GET /tasks/:id)",
    }),
    figure("dashboard_write_board_reloads", writes?.boardReloads ?? -1, "requests", null, {
      clicks: writes?.moved ?? 0,
      drop_to_card_ms: writes ? round(median(writes.latencies)) : null,
      drop_to_card_p95_ms: writes ? round(p95(writes.latencies)) : null,
      measure:
        "GET /board requests during the dashboard's own moves (keyboard, triage to todo), until the network is quiet",
    }),
    figure("spa_js_gzip", (js.initial.gzip + js.lazy.gzip) / 1024, "KiB", null, {
      initial_gzip_kib: round(js.initial.gzip / 1024, 1),
      lazy_gzip_kib: round(js.lazy.gzip / 1024, 1),
      raw_kib: round((js.initial.raw + js.lazy.raw) / 1024, 1),
      files: js.initial.files + js.lazy.files,
    }),
  ];
}
