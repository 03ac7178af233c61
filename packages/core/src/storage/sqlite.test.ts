import { renameSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freshBoard, onCleanup, refusal, tempDir } from "../../test/fixtures.ts";
import { createManualClock, createSequentialIds } from "../clock.ts";
import { CoreError } from "../errors.ts";
import { listEvents } from "../events.ts";
import { type Kernel, openKernel } from "../kernel.ts";
import { boardPaths, resolveHome } from "../paths.ts";
import { createTask, listTasks } from "../tasks.ts";

/** One turn of the event loop: everything else that is ready runs first. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise and the function that settles it, to hold a transaction open until the test says so. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Resolves at the next call of `k`'s commit listeners; rejects (naming `what`) if none comes in time. */
function nextCommit(k: Kernel, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no commit notification for ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = k.onCommit(() => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

async function count(k: Kernel, table = "tasks"): Promise<number> {
  return Number((await k.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n);
}

/** A second connection to the same board file, as another process would have. */
async function secondKernel(k: Kernel): Promise<Kernel> {
  const other = await openKernel(k.paths, {
    clock: createManualClock(1_700_000_000),
    ids: createSequentialIds(1_000),
    host: "otherhost",
  });
  onCleanup(() => other.close());
  return other;
}

describe("write transactions of one kernel", () => {
  it("never interleave, however their awaits fall: twenty concurrent read-modify-writes all count", async () => {
    const { k } = await freshBoard();
    await k.write(async (k) => {
      await k.db.run("CREATE TABLE test_counter (n INTEGER NOT NULL)");
      await k.db.run("CREATE TABLE test_markers (writer INTEGER NOT NULL)");
      await k.db.run("INSERT INTO test_counter (n) VALUES (0)");
    });
    const log: string[] = [];
    const writers = Array.from({ length: 20 }, (_, i) =>
      k.write(async (k) => {
        log.push(`begin ${i}`);
        const row = await k.db.get<{ n: number }>("SELECT n FROM test_counter");
        await Promise.resolve();
        await tick();
        await Promise.resolve();
        await k.db.run("UPDATE test_counter SET n = ?", [Number(row?.n) + 1]);
        await tick();
        await k.db.run("INSERT INTO test_markers (writer) VALUES (?)", [i]);
        log.push(`end ${i}`);
        return i;
      }),
    );
    expect(await Promise.all(writers)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await k.db.get("SELECT n FROM test_counter")).toEqual({ n: 20 });
    // Each transaction ran from its begin to its end with no other in between, first come first served.
    expect(log).toEqual(Array.from({ length: 20 }, (_, i) => [`begin ${i}`, `end ${i}`]).flat());
    expect(
      (await k.db.all<{ writer: number }>("SELECT writer FROM test_markers ORDER BY rowid")).map((r) => r.writer),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("keep a kernel command's invariants under concurrency: twenty concurrent creates get twenty ids and events", async () => {
    const { k } = await freshBoard();
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createTask(k, { title: `task ${i}`, idempotency_key: `key ${i % 10}` })),
    );
    expect(made.filter((m) => m.created)).toHaveLength(10);
    expect(new Set(made.map((m) => m.task.id)).size).toBe(10);
    expect(await count(k)).toBe(10);
    expect(await count(k, "task_events")).toBe(10);
  });
});

describe("write transactions of two kernels on one file in one process", () => {
  it("queue behind each other instead of blocking the thread on SQLite's lock", async () => {
    const home = resolveHome({ SWITCHYARD_HOME: tempDir() });
    const a = await openKernel(boardPaths(home, "default"), { clock: createManualClock(), ids: createSequentialIds() });
    const b = await openKernel(boardPaths(home, "default"), {
      clock: createManualClock(),
      ids: createSequentialIds(1000),
    });
    onCleanup(() => a.close());
    onCleanup(() => b.close());
    const held = gate();
    const first = a.write(async (k) => {
      await createTask(k, { title: "first, held open" });
      await held.opened;
      await createTask(k, { title: "first, after the wait" });
    });
    await tick();
    // b's transaction must wait for a's in this process: a BEGIN IMMEDIATE on b now would block
    // the thread (SQLite's busy wait) and a could never finish.
    const second = b.write((k) => createTask(k, { title: "second" }));
    await tick();
    held.open();
    // Without the shared lock, b fails with SQLITE_BUSY once the busy timeout ends.
    await Promise.all([first, second]);
    expect((await listTasks(a)).map((t) => t.title)).toEqual(["first, held open", "first, after the wait", "second"]);
  });
});

describe("a read outside a transaction", () => {
  it("waits for the transaction in flight instead of reading inside it, then sees what it committed", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "committed" });
    const inserted = gate();
    const release = gate();
    const writing = k.write(async (k) => {
      await createTask(k, { title: "not yet committed" });
      await k.db.run("UPDATE tasks SET priority = 7 WHERE title = 'committed'");
      inserted.open();
      await release.opened;
      await tick();
    });
    await inserted.opened;

    let seen: number | null = null;
    const reading = count(k).then((n) => {
      seen = n;
      return n;
    });
    const other = await secondKernel(k);
    // Another connection reads the committed board meanwhile: one task, priority 0.
    expect(await count(other)).toBe(1);
    expect((await listTasks(other)).map((t) => [t.title, t.priority])).toEqual([["committed", 0]]);
    for (let i = 0; i < 5; i++) await tick();
    expect(seen).toBeNull();

    release.open();
    await writing;
    expect(await reading).toBe(2);
  });

  it("never sees the rows of a write that is rolled back", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "committed" });
    const inserted = gate();
    const release = gate();
    const failing = k.write(async (k) => {
      await createTask(k, { title: "doomed" });
      inserted.open();
      await release.opened;
      await tick();
      throw new CoreError("invalid_input", "changed my mind");
    });
    await inserted.opened;
    const reading = k.db.all<{ title: string }>("SELECT title FROM tasks ORDER BY rowid");
    release.open();
    expect((await refusal(() => failing)).message).toBe("changed my mind");
    expect(await reading).toEqual([{ title: "committed" }]);
    expect((await listTasks(k)).map((t) => t.title)).toEqual(["committed"]);
    expect(await count(k, "task_events")).toBe(1);
    // The connection is usable afterwards: the next write commits.
    await createTask(k, { title: "next" });
    expect((await listTasks(k)).map((t) => t.title)).toEqual(["committed", "next"]);
  });
});

describe("a write inside a write", () => {
  it("is a savepoint: a refused inner step undoes only its own changes", async () => {
    const { k } = await freshBoard();
    const outcome = await k.write(async (k) => {
      const outer = (await createTask(k, { title: "outer" })).task;
      const err = await refusal(() =>
        k.write(async (k) => {
          await createTask(k, { title: "inner" });
          await k.db.run("UPDATE tasks SET priority = 9 WHERE id = ?", [outer.id]);
          throw new CoreError("invalid_input", "inner step refused");
        }),
      );
      const after = (await createTask(k, { title: "after the refusal" })).task;
      return { err, outer, after };
    });
    expect(outcome.err.message).toBe("inner step refused");
    expect((await listTasks(k)).map((t) => [t.title, t.priority])).toEqual([
      ["outer", 0],
      ["after the refusal", 0],
    ]);
    expect((await listEvents(k, outcome.outer.id)).map((e) => e.kind)).toEqual(["created"]);
    expect(await count(k, "task_events")).toBe(2);
  });

  it("keeps what a successful inner write did, and nests more than one level deep", async () => {
    const { k } = await freshBoard();
    await k.write(async (k) => {
      await createTask(k, { title: "level 1" });
      await k.write(async (k) => {
        await createTask(k, { title: "level 2" });
        await refusal(() =>
          k.write(async (k) => {
            await createTask(k, { title: "level 3, refused" });
            throw new CoreError("invalid_input", "no");
          }),
        );
        await k.write(async (k) => {
          await createTask(k, { title: "level 3, kept" });
        });
      });
    });
    expect((await listTasks(k)).map((t) => t.title)).toEqual(["level 1", "level 2", "level 3, kept"]);
  });

  it("rolls back the whole transaction when the inner refusal is not caught", async () => {
    const { k } = await freshBoard();
    const err = await refusal(() =>
      k.write(async (k) => {
        await createTask(k, { title: "outer" });
        await k.write(async (k) => {
          await createTask(k, { title: "inner" });
          throw new CoreError("invalid_input", "all of it goes");
        });
      }),
    );
    expect(err.message).toBe("all of it goes");
    expect(await count(k)).toBe(0);
    expect(await count(k, "task_events")).toBe(0);
  });
});

describe("commit notifications and staleness", () => {
  it("tells its listeners of this kernel's own commits, and stops when unsubscribed", async () => {
    const { k } = await freshBoard();
    const own = nextCommit(k, "this kernel's create");
    await createTask(k, { title: "mine" });
    await own;
    let calls = 0;
    const stop = k.onCommit(() => {
      calls++;
    });
    await createTask(k, { title: "counted" });
    expect(calls).toBe(1);
    stop();
    await createTask(k, { title: "not counted" });
    expect(calls).toBe(1);
  });

  it("tells its listeners of another connection's commit to the same file", async () => {
    const { k } = await freshBoard();
    const other = await secondKernel(k);
    const theirs = nextCommit(k, "the other connection's create");
    await createTask(other, { title: "made elsewhere" });
    await theirs;
    expect((await listTasks(k)).map((t) => t.title)).toEqual(["made elsewhere"]);
  });

  it("turns stale, and tells its listeners, when another file is renamed over the board", async () => {
    const { k } = await freshBoard();
    await createTask(k, { title: "on the original file" });
    expect(k.stale()).toBe(false);
    const elsewhere = boardPaths(resolveHome({ SWITCHYARD_HOME: tempDir() }), "default");
    await (await openKernel(elsewhere, { clock: createManualClock(1_700_000_000) })).close();

    const noticed = nextCommit(k, "the replaced file");
    renameSync(elsewhere.dbPath, k.paths.dbPath);
    await noticed;
    expect(k.stale()).toBe(true);
  });

  it("turns stale once closed", async () => {
    const home = resolveHome({ SWITCHYARD_HOME: tempDir() });
    const k = await openKernel(boardPaths(home, "default"), { clock: createManualClock(1_700_000_000) });
    expect(k.stale()).toBe(false);
    expect(await k.checkIntegrity()).toBe("ok");
    await k.close();
    expect(k.stale()).toBe(true);
    await k.close(); // closing twice is harmless
  });
});
