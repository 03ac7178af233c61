import { ApiError } from "@switchyard/contract";
import { boardPaths, claimTask, createBoard, createTask, listBoards, openKernel } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../src/app.ts";
import { harness } from "./helpers.ts";

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "'; DROP TABLE tasks; --",
  "../../../../etc/passwd",
  "%2e%2e%2f",
  "t_",
  "t_deadbeef",
  "t_DEADBEEF",
  "עברית ‮RTL",
  "😀".repeat(50),
  "<script>alert(1)</script>",
  "null",
  "true",
  "-1",
  "1e309",
  "NaN",
  "a,b",
  "running",
  "default",
  "_archived",
];

function randomString(r: Rng): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(NASTY_STRINGS);
    case 1:
      return "x".repeat(r.pick([1, 201, 1_001, 10_001, 200_001, 1_000_001]));
    case 2:
      return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0xffff)));
    case 3:
      return r.pick(["ready", "done", "todo", "triage", "blocked", "archived", "running", "bogus"]);
    default:
      return `word${r.int(1000)}`;
  }
}

function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 7]);
    case 3:
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(6); i > 0; i--) out[r.pick(FIELDS)] = randomValue(r, depth + 1);
      return out;
    }
  }
}

const FIELDS = [
  "title",
  "body",
  "assignee",
  "status",
  "priority",
  "tenant",
  "parents",
  "triage",
  "workspace_kind",
  "workspace_path",
  "skills",
  "idempotency_key",
  "max_runtime_seconds",
  "ids",
  "archive",
  "result",
  "summary",
  "metadata",
  "block_reason",
  "author",
  "parent_id",
  "child_id",
  "reason",
  "profile",
  "reclaim_first",
  "slug",
  "name",
  "switch",
  "__proto__",
  "constructor",
];

const ROUTES: Array<[string, string]> = [
  ["GET", "/board"],
  ["GET", "/tasks/:id"],
  ["POST", "/tasks"],
  ["PATCH", "/tasks/:id"],
  ["POST", "/tasks/bulk"],
  ["POST", "/tasks/:id/comments"],
  ["POST", "/links"],
  ["DELETE", "/links"],
  ["POST", "/tasks/:id/reclaim"],
  ["POST", "/tasks/:id/reassign"],
  ["GET", "/config"],
  ["GET", "/home-channels"],
  ["POST", "/tasks/:id/home-subscribe/:platform"],
  ["DELETE", "/tasks/:id/home-subscribe/:platform"],
  ["GET", "/stats"],
  ["GET", "/assignees"],
  ["GET", "/tasks/:id/log"],
  ["POST", "/dispatch"],
  ["GET", "/boards"],
  ["POST", "/boards"],
  ["PATCH", "/boards/:slug"],
  ["DELETE", "/boards/:slug"],
  ["POST", "/boards/:slug/switch"],
  ["GET", "/events"],
  ["PUT", "/tasks/:id"],
  ["GET", "/nope/:id"],
];

const QUERY_KEYS = [
  "board",
  "tenant",
  "include_archived",
  "tail",
  "dry_run",
  "max",
  "since",
  "parent_id",
  "child_id",
  "task_id",
  "delete",
];

/** A plausible body: the right field names with random values (most requests should reach the kernel). */
function plausibleBody(r: Rng, ids: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let i = 1 + r.int(4); i > 0; i--) {
    const field = r.pick(FIELDS);
    body[field] =
      r.next() < 0.5
        ? ((
            {
              title: "fuzzed task",
              status: r.pick(["ready", "done", "todo", "triage", "blocked", "archived", "running"]),
              priority: r.int(10),
              parents: [r.pick(ids)],
              ids: ids.slice(0, 1 + r.int(ids.length)),
              parent_id: r.pick(ids),
              child_id: r.pick(ids),
              assignee: r.pick(["alice", "bob", "", null]),
              profile: r.pick(["alice", "bob", "", null]),
              slug: r.pick(["ops", "fuzz-board", "default", "Bad Slug"]),
              body: "a comment",
              reclaim_first: r.next() < 0.5,
              archive: r.next() < 0.3,
            } as Record<string, unknown>
          )[field] ?? randomValue(r))
        : randomValue(r);
  }
  return body;
}

/** Path segments sent as they are: broken percent-encoding and traversal. */
const RAW_SEGMENTS = ["%E0%A4%A", "%zz", "%", "%00", "%2e%2e", "..", "t_1%2F..%2F..", "%ff%fe"];

function fill(r: Rng, template: string, ids: string[]): string {
  const raw = () => r.pick(RAW_SEGMENTS);
  if (r.next() < 0.1) return template.replace(":id", raw).replace(":slug", raw).replace(":platform", raw);
  return template
    .replace(":id", () =>
      encodeURIComponent(
        r.next() < 0.6 ? r.pick(ids) : r.pick([...NASTY_STRINGS.filter(Boolean), "t_00ffffff", "x".repeat(300)]),
      ),
    )
    .replace(":slug", () =>
      encodeURIComponent(r.pick(["ops", "default", "nowhere", "Bad!", "x".repeat(70), "-a", "fuzz-board"])),
    )
    .replace(":platform", () => encodeURIComponent(r.pick(["webhook", "slack", "telegram", "", "x".repeat(300)])));
}

function query(r: Rng, ids: string[]): string {
  if (r.next() < 0.3) return "";
  const params = new URLSearchParams();
  for (let i = 1 + r.int(3); i > 0; i--) {
    const key = r.pick(QUERY_KEYS);
    const value =
      r.next() < 0.5
        ? ((
            { board: r.pick(["ops", "default", "nowhere", "BAD SLUG", ""]), task_id: r.pick(ids) } as Record<
              string,
              string
            >
          )[key] ?? randomString(r).slice(0, 2_000))
        : randomString(r).slice(0, 2_000);
    params.append(key, value);
  }
  return `?${params.toString()}`;
}

function body(r: Rng, ids: string[]): { body?: string; headers: Record<string, string> } {
  const json = { "content-type": "application/json" };
  switch (r.int(8)) {
    case 0:
      return { body: r.pick(["{", '{"title":', "[1,2", "nul", "\u0000", "{}}", '"unterminated']), headers: json };
    case 1:
      return { body: JSON.stringify(randomValue(r)), headers: json };
    case 2:
      return { body: "title=x", headers: { "content-type": "application/x-www-form-urlencoded" } };
    case 3:
      return { headers: {} };
    default:
      return { body: JSON.stringify(plausibleBody(r, ids)), headers: json };
  }
}

describe("fuzzing the API", () => {
  it("answers 1,200 malformed or random requests without a 5xx, and every board stays intact", async () => {
    const h = harness({
      config:
        'notify:\n  home:\n    webhook:\n      chat_id: https://hooks.example/x\nprofiles:\n  alice:\n    command: ["true"]\n',
    });
    await createBoard(h.home, "ops", {}, { now: h.clock.now() });
    const k = await h.k;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await createTask(k, { title: `seed ${i}`, assignee: i % 2 ? "alice" : "bob" })).task.id);
    await claimTask(k, ids[0] as string);
    ids.push((await createTask(k, { title: "child", parents: [ids[1] as string] })).task.id);

    const r = rng(Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20_260_521));
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < 1_200; i++) {
      const [method, template] = r.pick(ROUTES);
      const path = `${fill(r, template, ids)}${query(r, ids)}`;
      const { body: payload, headers } = method === "GET" ? { headers: {} } : body(r, ids);
      const res = await h.request(method, path, { body: payload, headers });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status >= 500)
        failures.push(`#${i} ${method} ${path.slice(0, 200)} -> ${res.status} ${text.slice(0, 300)}`);
      if (res.status >= 400 && res.headers.get("content-type")?.includes("json")) {
        const parsed = ApiError.safeParse(JSON.parse(text));
        if (!parsed.success)
          failures.push(
            `#${i} ${method} ${path.slice(0, 200)} -> ${res.status} not {detail, code}: ${text.slice(0, 200)}`,
          );
      }
    }
    // One body over the limit, refused before it is read whole.
    const huge = await h.request("POST", "/tasks", { json: { title: "x".repeat(MAX_BODY_BYTES + 10) } });
    expect(huge.status).toBe(413);

    expect(failures).toEqual([]);
    expect(h.logs.filter((l) => l.startsWith("internal error"))).toEqual([]);
    // Most requests reached the kernel and were answered, not only refused by validation.
    expect([...statuses.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);

    for (const meta of await listBoards(h.home, { includeArchived: true })) {
      const board = await openKernel(boardPaths(h.home, meta.slug));
      try {
        expect({ board: meta.slug, check: await board.checkIntegrity() }).toEqual({ board: meta.slug, check: "ok" });
        // Invariant I1/I2: a task's current run is open, and every open run is some task's current run.
        const orphans = await board.db.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM task_runs r WHERE r.ended_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.current_run_id = r.id)`,
        );
        const dangling = await board.db.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM tasks t WHERE t.current_run_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM task_runs r WHERE r.id = t.current_run_id AND r.ended_at IS NULL)`,
        );
        expect({ board: meta.slug, orphans: orphans?.n, dangling: dangling?.n }).toEqual({
          board: meta.slug,
          orphans: 0,
          dangling: 0,
        });
      } finally {
        await board.close();
      }
    }
  }, 240_000);
});
