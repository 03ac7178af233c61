import { TaskEvent } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { type LiveProcess, startCli, tempHome } from "./cli.ts";

/** The JSON lines printed so far, each parsed as a task event. */
function eventLines(p: LiveProcess): TaskEvent[] {
  const lines = p.output().split("\n").filter(Boolean);
  return lines.map((line) => TaskEvent.parse(JSON.parse(line)));
}

describe("tail and watch", () => {
  it("tail prints a task's recent events, then its new ones, and stops cleanly on Ctrl-C", async () => {
    const home = tempHome();
    const id = home.create("watch me", "--assignee", "alice");
    const other = home.create("not me", "--assignee", "bob");
    const tail = startCli(home, ["tail", id, "--interval", "0.1"]);
    await tail.waitFor(new RegExp(`${id} created`));
    home.ok(["comment", other, "elsewhere"]);
    home.ok(["comment", id, "ping"]);
    await tail.waitFor(new RegExp(`${id} commented \\{"author":"user","len":4\\}`));
    home.ok(["claim", id]);
    await tail.waitFor(new RegExp(`${id} \\[run \\d+\\] claimed`));
    expect(await tail.stop()).toBe(0);
    expect(tail.output()).not.toContain(other);
  });

  it("watch prints new events of the kinds asked for across the board, filtered by assignee", async () => {
    const home = tempHome();
    const a = home.create("for alice", "--assignee", "alice");
    const b = home.create("for bob", "--assignee", "bob");
    const watch = startCli(home, ["watch", "--kinds", "completed,blocked", "--assignee", "alice", "--interval", "0.1"]);
    await watch.waitFor(/Watching board default from event \d+/);
    home.ok(["block", b, "bob is stuck"]);
    home.ok(["comment", a, "not a watched kind"]);
    home.ok(["block", a, "alice is stuck"]);
    await watch.waitFor(new RegExp(`${a} \\[run \\d+\\] blocked \\{"reason":"alice is stuck","author":"user"\\}`));
    expect(await watch.stop()).toBe(0);
    expect(watch.output()).not.toContain(b);
    expect(watch.output()).not.toContain("commented");
    expect(watch.output()).not.toContain(" created ");
  });

  it("tail --json prints each of a task's events as one JSON line, the task event as the live stream carries it", async () => {
    const home = tempHome();
    const id = home.create("watch me", "--assignee", "alice");
    const other = home.create("not me", "--assignee", "bob");
    const tail = startCli(home, ["tail", id, "--interval", "0.1", "--json"]);
    await tail.waitFor(/"kind":"created"/);
    home.ok(["comment", other, "elsewhere"]);
    home.ok(["comment", id, "ping"]);
    await tail.waitFor(/"kind":"commented"/);
    expect(await tail.stop()).toBe(0);
    const events = eventLines(tail);
    expect(events.map((e) => [e.task_id, e.kind])).toEqual([
      [id, "created"],
      [id, "commented"],
    ]);
    expect(events[1]?.payload).toEqual({ author: "user", len: 4 });
  });

  it("watch --json prints each new event of the kinds asked for as one JSON line, and its banner on stderr", async () => {
    const home = tempHome();
    const a = home.create("for alice", "--assignee", "alice");
    const b = home.create("for bob", "--assignee", "bob");
    const watch = startCli(home, ["watch", "--kinds", "blocked", "--interval", "0.1", "--json"]);
    await watch.waitFor(/Watching board default from event \d+/);
    home.ok(["block", a, "alice is stuck"]);
    home.ok(["comment", b, "not a watched kind"]);
    home.ok(["block", b, "bob is stuck"]);
    await watch.waitFor(new RegExp(`"task_id":"${b}".*"kind":"blocked"|"kind":"blocked".*"task_id":"${b}"`));
    expect(await watch.stop()).toBe(0);
    const events = eventLines(watch);
    expect(events.map((e) => [e.task_id, e.kind, e.payload])).toEqual([
      [a, "blocked", expect.objectContaining({ reason: "alice is stuck" })],
      [b, "blocked", expect.objectContaining({ reason: "bob is stuck" })],
    ]);
  });
});
