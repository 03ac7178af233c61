import { describe, expect, it } from "vitest";
import { startCli, tempHome } from "./cli.ts";

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
    await watch.waitFor(new RegExp(`${a} \\[run \\d+\\] blocked \\{"reason":"alice is stuck"\\}`));
    expect(await watch.stop()).toBe(0);
    expect(watch.output()).not.toContain(b);
    expect(watch.output()).not.toContain("commented");
    expect(watch.output()).not.toContain(" created ");
  });
});
