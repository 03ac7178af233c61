import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_OUTPUT_TAIL } from "@switchyard/contract";
import { afterEach, describe, expect, it } from "vitest";
import { outputTail, runCheck } from "./checks.ts";
import { systemProcesses } from "./process.ts";

const temps: string[] = [];
const strays: number[] = [];

afterEach(() => {
  for (const pid of strays.splice(0)) systemProcesses.kill(pid, "SIGKILL");
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "sy-checks-")));
  temps.push(dir);
  return dir;
}

/** A pid a command wrote to `file`, remembered so a failing test still cleans it up. */
function pidIn(file: string): number {
  const pid = Number(readFileSync(file, "utf8").trim());
  expect(pid).toBeGreaterThan(1);
  strays.push(pid);
  return pid;
}

describe("runCheck", () => {
  it("reports the exit code and stdout and stderr together", async () => {
    const run = await runCheck({ cwd: temp(), command: "echo out; echo err >&2; exit 3", timeoutMs: 20_000 });
    expect(run.exit_code).toBe(3);
    expect(run.timed_out).toBe(false);
    expect(run.output_tail).toContain("out\n");
    expect(run.output_tail).toContain("err\n");
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    expect(run.duration_ms).toBeLessThan(20_000);
  });

  it("runs in the workspace with the given environment and no stdin", async () => {
    const cwd = temp();
    const run = await runCheck({
      cwd,
      command: 'pwd; printf "%s\\n" "$CHECK_VALUE"; cat',
      timeoutMs: 20_000,
      env: { PATH: process.env.PATH, CHECK_VALUE: "from the caller" },
    });
    expect(run).toMatchObject({ exit_code: 0, timed_out: false, output_tail: `${cwd}\nfrom the caller\n` });
  });

  it("passes a failing command's shell exit code on, 127 for a command that does not exist", async () => {
    const run = await runCheck({ cwd: temp(), command: "no-such-command-sy", timeoutMs: 20_000 });
    expect(run.exit_code).toBe(127);
    expect(run.output_tail).toMatch(/no-such-command-sy.*not found/);
  });

  it("reports a shell killed by a signal as 128 + the signal number", async () => {
    const run = await runCheck({ cwd: temp(), command: "kill -KILL $$", timeoutMs: 20_000 });
    expect(run).toMatchObject({ exit_code: 137, timed_out: false });
  });

  it("stops a command that runs over, with its whole process group", async () => {
    const cwd = temp();
    const run = await runCheck({
      cwd,
      command: "echo $$ > group; sleep 30 & echo $! > child; echo started; wait",
      timeoutMs: 1000,
      graceMs: 2000,
    });
    expect(run).toMatchObject({ exit_code: null, timed_out: true, output_tail: "started\n" });
    expect(run.duration_ms).toBeGreaterThanOrEqual(1000);
    expect(run.duration_ms).toBeLessThan(15_000);
    const group = pidIn(join(cwd, "group"));
    const child = pidIn(join(cwd, "child"));
    expect(systemProcesses.groupAlive(group)).toBe(false);
    expect(systemProcesses.isAlive(child)).toBe(false);
  });

  it("kills a command that ignores SIGTERM once the grace is over", async () => {
    const cwd = temp();
    const run = await runCheck({
      cwd,
      command: "trap '' TERM; echo $$ > group; sleep 30",
      timeoutMs: 1000,
      graceMs: 300,
    });
    expect(run).toMatchObject({ exit_code: null, timed_out: true });
    expect(run.duration_ms).toBeGreaterThanOrEqual(1300);
    expect(systemProcesses.groupAlive(pidIn(join(cwd, "group")))).toBe(false);
  });

  it("ends when the shell ends, stopping what it left running, even one holding the output open", async () => {
    const cwd = temp();
    const run = await runCheck({
      cwd,
      command: "echo $$ > group; sleep 30 & echo $! > child; echo done",
      timeoutMs: 20_000,
      graceMs: 2000,
    });
    expect(run).toMatchObject({ exit_code: 0, timed_out: false, output_tail: "done\n" });
    expect(run.duration_ms).toBeLessThan(15_000);
    expect(systemProcesses.isAlive(pidIn(join(cwd, "child")))).toBe(false);
    expect(systemProcesses.groupAlive(pidIn(join(cwd, "group")))).toBe(false);
  });

  it("keeps only the last lines of a long output, starting at a line", async () => {
    const run = await runCheck({ cwd: temp(), command: "seq 1 20000", timeoutMs: 20_000 });
    expect(run.exit_code).toBe(0);
    const tail = run.output_tail;
    expect(tail.length).toBeLessThanOrEqual(CHECK_OUTPUT_TAIL);
    expect(tail.length).toBeGreaterThan(CHECK_OUTPUT_TAIL - 10);
    expect(tail.endsWith("19999\n20000\n")).toBe(true);
    const lines = tail.trimEnd().split("\n").map(Number);
    expect(lines.every((n, i) => n === 20000 - lines.length + 1 + i)).toBe(true);
  });

  it("resolves with the reason when the workspace does not exist", async () => {
    const missing = join(temp(), "gone");
    const run = await runCheck({ cwd: missing, command: "true", timeoutMs: 20_000 });
    expect(run).toMatchObject({ exit_code: null, timed_out: false });
    expect(run.output_tail).toContain(`${missing} is not a directory`);
  });
});

describe("outputTail", () => {
  it("keeps a short text whole", () => {
    expect(outputTail("a\nb\n", 10)).toBe("a\nb\n");
  });

  it("cuts at the first line start inside the kept end", () => {
    expect(outputTail("first line\nsecond\nthird\n", 12)).toBe("third\n");
    expect(outputTail("first\nsecond\n", 7)).toBe("second\n");
  });

  it("cuts inside a line when the end is a single line", () => {
    expect(outputTail("x".repeat(50), 10)).toBe("x".repeat(10));
    expect(outputTail(`${"x".repeat(50)}\n`, 10)).toBe(`${"x".repeat(9)}\n`);
  });
});
