import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openKernel } from "../src/kernel.ts";
import { boardPaths, DEFAULT_BOARD } from "../src/paths.ts";
import type { StorageDriver } from "../src/storage/driver.ts";
import { numbered } from "../src/storage/postgres.ts";
import { createTask, listTasks } from "../src/tasks.ts";
import { freshBoard, onCleanup, refusal, tempHome, testDatabaseUrl } from "./fixtures.ts";

/**
 * The PostgreSQL driver itself (issue 17), against the real server of the `core-postgres`
 * project: what the kernel's rule tests (run there too) take for granted.
 */

const url = () => {
  const u = testDatabaseUrl();
  if (!u) throw new Error("run by the core-postgres project, which starts the server");
  return u;
};

async function board(schema = `test_${randomBytes(6).toString("hex")}`) {
  const k = await openKernel(boardPaths(tempHome(), DEFAULT_BOARD), { databaseUrl: url(), schema });
  onCleanup(() => k.close());
  return k;
}

describe("the PostgreSQL driver", () => {
  it("is what freshBoard gives this project", async () => {
    const { k } = await freshBoard();
    expect((k.db as StorageDriver).dialect).toBe("postgres");
  });

  it("numbers placeholders outside quoted text only", () => {
    expect(numbered("SELECT * FROM t WHERE a = ? AND b = '?' AND \"c?\" = ? LIMIT ?")).toBe(
      "SELECT * FROM t WHERE a = $1 AND b = '?' AND \"c?\" = $2 LIMIT $3",
    );
  });

  it("keeps each board in its own schema: a second kernel on the same schema sees the first one's tasks, another schema does not", async () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    const a = await board(schema);
    const b = await board(schema);
    const other = await board();
    await createTask(a, { title: "shared" });
    expect((await listTasks(b)).map((t) => t.title)).toEqual(["shared"]);
    expect(await listTasks(other)).toEqual([]);
  });

  it("tells every other connection to the board of a commit (LISTEN/NOTIFY)", async () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    const a = await board(schema);
    const b = await board(schema);
    let heard = 0;
    const stop = b.onCommit(() => heard++);
    onCleanup(stop);
    // The listening connection is set up asynchronously: write until it hears one.
    for (let i = 0; heard === 0 && i < 200; i++) {
      await createTask(a, { title: `write ${i}` });
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(heard).toBeGreaterThan(0);
  });

  it("writes one transaction at a time per board across connections: read-modify-write loses nothing", async () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    const kernels = await Promise.all([board(schema), board(schema), board(schema)]);
    const counter = "SELECT value FROM board_settings WHERE key = 'counter'";
    await Promise.all(
      kernels.flatMap((k) =>
        Array.from({ length: 10 }, () =>
          k.write(async (k) => {
            // Without the board's lock, two of these would read the same value (READ COMMITTED).
            const n = Number((await k.db.get<{ value: string }>(counter))?.value ?? 0);
            await new Promise((r) => setTimeout(r, 2));
            await k.db.run(
              "INSERT INTO board_settings (key, value) VALUES ('counter', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
              [String(n + 1)],
            );
          }),
        ),
      ),
    );
    expect(Number((await kernels[0]?.db.get<{ value: string }>(counter))?.value)).toBe(30);
  });

  it("names a database it cannot reach: storage_unavailable", async () => {
    const err = await refusal(() =>
      openKernel(boardPaths(tempHome(), DEFAULT_BOARD), { databaseUrl: "postgres://postgres@127.0.0.1:1/postgres" }),
    );
    expect(err.code).toBe("storage_unavailable");
    expect(err.message).toMatch(/cannot be reached/);
  });
});
