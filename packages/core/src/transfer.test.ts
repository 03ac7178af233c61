import type { BoardDocument } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { freshBoard, refusal, type TestBoard } from "../test/fixtures.ts";
import { fillBoard } from "../test/rich-board.ts";
import { claimTask } from "./claims.ts";
import { createSequentialIds } from "./clock.ts";
import { addComment } from "./comments.ts";
import { latestEventId, listEvents } from "./events.ts";
import type { Kernel } from "./kernel.ts";
import { getRun } from "./runs.ts";
import { boardTables } from "./storage/board-tables.ts";
import { createTask, listTasks } from "./tasks.ts";
import {
  BOARD_TABLES,
  exportBoard,
  formatBoardDocument,
  importBoard,
  NOT_TRANSFERRED,
  parseBoardDocument,
} from "./transfer.ts";

/** A second, empty board on the same storage, whose task ids cannot meet the first board's. */
async function emptyBoard(clockOf: TestBoard): Promise<TestBoard> {
  const target = await freshBoard({ ids: createSequentialIds(0x1000) });
  target.clock.set(clockOf.clock.now());
  return target;
}

async function maxId(k: Kernel, table: string, column = "id"): Promise<number> {
  const row = await k.db.get<{ n: number | null }>(`SELECT MAX(${column}) AS n FROM ${table}`);
  return Number(row?.n ?? 0);
}

const text = (doc: BoardDocument) => [...formatBoardDocument(doc)].join("");

describe("the tables a board export carries", () => {
  it("are every table of the live schema but its bookkeeping and runtime state, named on purpose", async () => {
    const { k } = await freshBoard();
    const live = [...(await boardTables(k.db, k.dialect)).keys()];
    expect(live.filter((t) => !Object.hasOwn(NOT_TRANSFERRED, t)).sort()).toEqual([...BOARD_TABLES].sort());
    expect(BOARD_TABLES.filter((t) => Object.hasOwn(NOT_TRANSFERRED, t))).toEqual([]);
    const doc = await exportBoard(k);
    expect(Object.keys(doc.tables)).toEqual([...BOARD_TABLES]);
    expect(doc).toMatchObject({
      format: "switchyard-board",
      version: 1,
      board: "default",
      dialect: k.dialect,
      exported_at: 1_700_000_000,
    });
    expect(doc.schema_version).toBeGreaterThan(0);
    expect(Object.values(doc.tables).every((t) => t.rows.length === 0)).toBe(true);
  });
});

describe("export then import", () => {
  it("round-trips a board with runs, events, comments, links, receipts, settings, subscriptions and pauses, ids and values exactly", async () => {
    const source = await freshBoard();
    const made = await fillBoard(source.k, source.clock);
    const doc = await exportBoard(source.k);
    const rows = Object.fromEntries(Object.entries(doc.tables).map(([name, t]) => [name, t.rows.length]));
    expect(rows).toMatchObject({ task_links: 1, board_settings: 2, kanban_notify_subs: 1, profile_pauses: 1 });
    for (const table of ["tasks", "task_comments", "task_runs", "task_events", "run_proofs"]) {
      expect(rows[table], table).toBeGreaterThan(0);
    }
    const tasks = doc.tables.tasks;
    const col = (name: string) => tasks?.columns.indexOf(name) as number;
    const parentRow = tasks?.rows.find((r) => r[col("id")] === made.parent);
    expect(parentRow?.[col("title")]).toBe('Design the "export" — ünïcödé ✓');
    expect(parentRow?.[col("priority")]).toBe(3);
    expect(parentRow?.[col("workspace_path")]).toBeNull();
    expect(typeof parentRow?.[col("rowid")]).toBe("number");

    const target = await emptyBoard(source);
    const loaded = await importBoard(target.k, text(doc));
    expect(loaded).toEqual(rows);
    expect(await exportBoard(target.k)).toEqual(doc);

    // The kernel reads the imported board as it read the original: the card order, the events, the runs.
    expect(await listTasks(target.k)).toEqual(await listTasks(source.k));
    expect(await listEvents(target.k, made.verified)).toEqual(await listEvents(source.k, made.verified));
    expect(await getRun(target.k, made.verifiedRun)).toEqual(await getRun(source.k, made.verifiedRun));
  });

  it("leaves the imported board numbering on after the largest ids: a new task, comment, claim and event get fresh ones", async () => {
    const source = await freshBoard();
    await fillBoard(source.k, source.clock);
    const doc = await exportBoard(source.k);
    const target = await emptyBoard(source);
    await importBoard(target.k, doc);
    const before = {
      rowid: await maxId(target.k, "tasks", "rowid"),
      comment: await maxId(target.k, "task_comments"),
      run: await maxId(target.k, "task_runs"),
      event: await latestEventId(target.k),
    };

    const { task } = await createTask(target.k, { title: "after the move", assignee: "coder" });
    const comment = await addComment(target.k, task.id, "carol", "first comment here");
    const claimed = await claimTask(target.k, task.id);
    expect(await maxId(target.k, "tasks", "rowid")).toBe(before.rowid + 1);
    expect(comment.id).toBe(before.comment + 1);
    expect(claimed?.current_run_id).toBe(before.run + 1);
    const events = await listEvents(target.k, task.id);
    expect(events.map((e) => e.kind)).toEqual(["created", "commented", "claimed"]);
    expect(events.every((e) => e.id > before.event)).toBe(true);
    expect((await listTasks(target.k)).at(-1)?.id).toBe(task.id);
  });
});

describe("a large board", () => {
  it("of 10,000 tasks and 50,000 events imports and exports whole", async () => {
    const { k } = await freshBoard();
    const empty = await exportBoard(k);
    const row = (table: string, values: Record<string, string | number>) =>
      (empty.tables[table]?.columns ?? []).map((c) => values[c] ?? null);
    const tasks = Array.from({ length: 10_000 }, (_, i) =>
      row("tasks", {
        id: `t_${i.toString(16).padStart(8, "0")}`,
        title: `task ${i}`,
        status: i % 3 === 0 ? "done" : "ready",
        created_at: 1_700_000_000 + i,
        workspace_kind: "scratch",
        spawn_failures: 0,
        parked: 0,
        priority: i % 5,
        rowid: i + 1,
      }),
    );
    const events = Array.from({ length: 50_000 }, (_, i) =>
      row("task_events", {
        id: i + 1,
        task_id: `t_${Math.floor(i / 5)
          .toString(16)
          .padStart(8, "0")}`,
        kind: i % 5 === 0 ? "created" : "commented",
        payload: JSON.stringify({ n: i }),
        created_at: 1_700_000_000 + i,
      }),
    );
    const doc: BoardDocument = {
      ...empty,
      tables: {
        ...empty.tables,
        tasks: { columns: empty.tables.tasks?.columns ?? [], rows: tasks },
        task_events: { columns: empty.tables.task_events?.columns ?? [], rows: events },
      },
    };
    expect(await importBoard(k, text(doc))).toMatchObject({ tasks: 10_000, task_events: 50_000, task_runs: 0 });
    expect(await exportBoard(k)).toEqual(doc);
    expect(await latestEventId(k)).toBe(50_000);
  });
});

describe("an import that is refused", () => {
  it("into a board with content names the board and changes nothing", async () => {
    const source = await freshBoard();
    await fillBoard(source.k, source.clock);
    const doc = await exportBoard(source.k);
    const target = await emptyBoard(source);
    await createTask(target.k, { title: "already here" });
    const before = await exportBoard(target.k);
    const err = await refusal(() => importBoard(target.k, doc));
    expect(err.code).toBe("board_exists");
    expect(err.message).toMatch(/^board 'default' is not empty \(it has rows in tasks, task_events\)/);
    expect(await exportBoard(target.k)).toEqual(before);
  });

  it("for a document that is not this version's board export, or names what the board does not have, says why and changes nothing", async () => {
    const source = await freshBoard();
    await fillBoard(source.k, source.clock);
    const doc = await exportBoard(source.k);
    const target = await emptyBoard(source);
    const empty = await exportBoard(target.k);
    const tasks = doc.tables.tasks as BoardDocument["tables"][string];
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /^not a board export: the text is not JSON/],
      [[1, 2], /^not a board export: its format is not 'switchyard-board'/],
      [{ ...doc, format: "trello" }, /^not a board export/],
      [{ ...doc, version: 2 }, /^board export version 2 cannot be read by this Switchyard \(it reads version 1\)/],
      [{ ...doc, extra: true }, /^malformed board export: /],
      [{ ...doc, tables: { ...doc.tables, hosts: { columns: ["id"], rows: [] } } }, /table this board does not: hosts/],
      [
        { ...doc, tables: { ...doc.tables, switchyard_meta: { columns: ["key"], rows: [] } } },
        /table this board does not: switchyard_meta/,
      ],
      [
        { ...doc, tables: { ...doc.tables, tasks: { ...tasks, columns: [...tasks.columns.slice(0, -1), "colour"] } } },
        /table tasks has columns this board's does not: colour/,
      ],
      [
        { ...doc, tables: { ...doc.tables, tasks: { ...tasks, rows: [...tasks.rows, ["t_x"]] } } },
        new RegExp(`^table tasks, row ${tasks.rows.length + 1}: 1 values for ${tasks.columns.length} columns`),
      ],
      [
        { ...doc, tables: { ...doc.tables, tasks: { ...tasks, columns: [...tasks.columns.slice(0, -1), "id"] } } },
        /^table tasks names a column twice/,
      ],
      [{ ...doc, tables: { ...doc.tables, tasks: { ...tasks, rows: [[{}]] } } }, /^malformed board export: tables/],
    ];
    for (const [input, message] of cases) {
      const err = await refusal(() => importBoard(target.k, input));
      expect(err.code, String(message)).toBe("invalid_input");
      expect(err.message).toMatch(message);
    }
    // A row the schema refuses (a title of NULL) after the tasks went in: the whole import is undone.
    const events = doc.tables.task_events as BoardDocument["tables"][string];
    const kind = events.columns.indexOf("kind");
    const badEvent = (events.rows[0] as BoardDocument["tables"][string]["rows"][number]).map((v, i) =>
      i === kind ? null : v,
    );
    const err = await refusal(() =>
      importBoard(target.k, {
        ...doc,
        tables: { ...doc.tables, task_events: { ...events, rows: [...events.rows.slice(1), badEvent] } },
      }),
    );
    expect(err).toMatchObject({ code: "invalid_input", message: expect.stringMatching(/^table task_events, rows /) });
    expect(await exportBoard(target.k)).toEqual(empty);
  });
});

describe("the document as text", () => {
  it("puts one row on a line and parses back to the same document", () => {
    const doc: BoardDocument = {
      format: "switchyard-board",
      version: 1,
      board: "b",
      dialect: "sqlite",
      schema_version: 8,
      exported_at: 1,
      tables: {
        tasks: {
          columns: ["id", "title"],
          rows: [
            ["t_1", 'a "b"\nc'],
            ["t_2", null],
          ],
        },
        empty: { columns: [], rows: [] },
      },
    };
    expect(text(doc).split("\n")).toEqual([
      '{"format":"switchyard-board","version":1,"board":"b","dialect":"sqlite","schema_version":8,"exported_at":1,"tables":{',
      '"tasks":{"columns":["id","title"],"rows":[',
      '["t_1","a \\"b\\"\\nc"],',
      '["t_2",null]]},',
      '"empty":{"columns":[],"rows":[]}',
      "}}",
      "",
    ]);
    expect(parseBoardDocument(text(doc))).toEqual(doc);
  });
});
