import { closeSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import type { BoardPaths } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { freshBoard } from "../../core/test/fixtures.ts";
import { LOG_ROTATE_BYTES, openWorkerLog, readWorkerLog, rotateWorkerLog, runLogTail, workerLogPath } from "./logs.ts";

const ID = "t_00000001";

function writeLog(paths: BoardPaths, content: string | Buffer): string {
  mkdirSync(paths.logsDir, { recursive: true });
  const path = workerLogPath(paths, ID);
  writeFileSync(path, content);
  return path;
}

describe("log rotation", () => {
  it("rotates a log over 2 MiB to <id>.log.1, keeping one generation", async () => {
    const { k } = await freshBoard();
    const path = writeLog(k.paths, Buffer.alloc(LOG_ROTATE_BYTES + 1, "a"));
    writeFileSync(`${path}.1`, "the generation before");
    expect(rotateWorkerLog(path)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(statSync(`${path}.1`).size).toBe(LOG_ROTATE_BYTES + 1);
    expect(LOG_ROTATE_BYTES).toBe(2 * 1024 * 1024);
  });

  it("leaves a log of at most 2 MiB, or a missing one, alone", async () => {
    const { k } = await freshBoard();
    expect(rotateWorkerLog(workerLogPath(k.paths, ID))).toBe(false);
    const path = writeLog(k.paths, Buffer.alloc(LOG_ROTATE_BYTES, "a"));
    expect(rotateWorkerLog(path)).toBe(false);
    expect(statSync(path).size).toBe(LOG_ROTATE_BYTES);
    expect(existsSync(`${path}.1`)).toBe(false);
  });

  it("opens the log for appending, creating the directory and rotating first", async () => {
    const { k } = await freshBoard();
    const fd1 = openWorkerLog(k.paths, ID);
    writeSync(fd1, "first run\n");
    closeSync(fd1);
    const fd2 = openWorkerLog(k.paths, ID);
    writeSync(fd2, "second run\n");
    closeSync(fd2);
    expect(readFileSync(workerLogPath(k.paths, ID), "utf8")).toBe("first run\nsecond run\n");

    writeLog(k.paths, Buffer.alloc(LOG_ROTATE_BYTES + 10, "a"));
    const fd3 = openWorkerLog(k.paths, ID);
    writeSync(fd3, "third run\n");
    closeSync(fd3);
    expect(readFileSync(workerLogPath(k.paths, ID), "utf8")).toBe("third run\n");
    expect(statSync(`${workerLogPath(k.paths, ID)}.1`).size).toBe(LOG_ROTATE_BYTES + 10);
  });
});

describe("readWorkerLog", () => {
  it("reports a missing log as not existing, with empty content", async () => {
    const { k } = await freshBoard();
    expect(readWorkerLog(k.paths, ID)).toEqual({
      task_id: ID,
      path: workerLogPath(k.paths, ID),
      exists: false,
      size_bytes: 0,
      content: "",
      truncated: false,
    });
  });

  it("returns the whole log without a tail, or with a tail larger than the file", async () => {
    const { k } = await freshBoard();
    writeLog(k.paths, "one\ntwo\n");
    expect(readWorkerLog(k.paths, ID)).toMatchObject({
      exists: true,
      size_bytes: 8,
      content: "one\ntwo\n",
      truncated: false,
    });
    expect(readWorkerLog(k.paths, ID, 100)).toMatchObject({ content: "one\ntwo\n", truncated: false });
  });

  it("tails the log and drops the partial first line", async () => {
    const { k } = await freshBoard();
    writeLog(k.paths, "alpha line\nbeta line\ngamma line\n");
    // The last 15 bytes are "a line\ngamma line\n": "a line" is the tail of "beta line".
    expect(readWorkerLog(k.paths, ID, 15)).toMatchObject({ content: "gamma line\n", truncated: true, size_bytes: 32 });
  });

  it("keeps the first line when the window starts exactly at a line", async () => {
    const { k } = await freshBoard();
    writeLog(k.paths, "alpha line\nbeta line\ngamma line\n");
    expect(readWorkerLog(k.paths, ID, 21).content).toBe("beta line\ngamma line\n");
  });

  it("keeps a window that holds no newline at all", async () => {
    const { k } = await freshBoard();
    writeLog(k.paths, "x".repeat(100));
    expect(readWorkerLog(k.paths, ID, 10)).toMatchObject({ content: "x".repeat(10), truncated: true });
  });

  it("gives empty content for a zero or negative tail", async () => {
    const { k } = await freshBoard();
    writeLog(k.paths, "one\ntwo\n");
    expect(readWorkerLog(k.paths, ID, 0)).toMatchObject({ content: "", truncated: true });
    expect(readWorkerLog(k.paths, ID, -5)).toMatchObject({ content: "", truncated: true });
  });
});

describe("runLogTail", () => {
  it("is the last non-blank lines after the last start header, so an earlier run's output never counts", async () => {
    const { k } = await freshBoard();
    writeLog(
      k.paths,
      '[switchyard 2026-01-01T00:00:00.000Z] starting: ["agent"]\nold run line\n' +
        '[switchyard 2026-01-01T00:01:00.000Z] starting: ["agent"]\none\n\n  two  \nthree\r\nfour\n',
    );
    expect(runLogTail(k.paths, ID, 3)).toEqual(["  two", "three", "four"]);
    expect(runLogTail(k.paths, ID)).toEqual(["one", "  two", "three", "four"]);
  });

  it("is empty when the run logged nothing, or there is no log", async () => {
    const { k } = await freshBoard();
    expect(runLogTail(k.paths, ID)).toEqual([]);
    writeLog(k.paths, 'earlier\n[switchyard 2026-01-01T00:00:00.000Z] starting: ["agent"]\n');
    expect(runLogTail(k.paths, ID)).toEqual([]);
  });
});
