import { describe, expect, it } from "vitest";
import { nextFocus } from "./board-nav.ts";
import { lanesByProfile } from "./filter.ts";
import { titleCaseSlug, toSlugInput } from "./slug.ts";
import { staleness } from "./staleness.ts";
import { applyTheme, nextTheme, readTheme } from "./theme.ts";
import { formatAge, formatTimeLeft, serverNow } from "./time.ts";
import { whyIdle } from "./why-idle.ts";
import { joinAnd } from "./words.ts";

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;

describe("staleness", () => {
  const at = (status: "ready" | "running" | "blocked" | "todo" | "done", age: number) =>
    staleness({ status, created_at: 1000, started_at: status === "running" ? 1000 : null }, 1000 + age);

  it.each([
    ["ready", HOUR, DAY],
    ["running", 10 * MIN, HOUR],
    ["blocked", HOUR, DAY],
    ["todo", 7 * DAY, 30 * DAY],
  ] as const)("turns a %s card amber at its first threshold and red at its second", (status, amber, red) => {
    expect(at(status, amber - 1)).toBe("fresh");
    expect(at(status, amber)).toBe("amber");
    expect(at(status, red - 1)).toBe("amber");
    expect(at(status, red)).toBe("red");
  });

  it("never marks a done card stale", () => {
    expect(at("done", 365 * DAY)).toBe("fresh");
  });

  it("ages a running card from when it started, not from when it was created", () => {
    expect(staleness({ status: "running", created_at: 0, started_at: 10 * DAY }, 10 * DAY + MIN)).toBe("fresh");
  });
});

describe("time", () => {
  it("formats ages compactly and never negative", () => {
    expect([formatAge(-5), formatAge(59), formatAge(60), formatAge(3599), formatAge(3600), formatAge(DAY)]).toEqual([
      "0s",
      "59s",
      "1m",
      "59m",
      "1h",
      "1d",
    ]);
    expect(formatTimeLeft(1000 + 90, 1000)).toBe("1m left");
    expect(formatTimeLeft(1000, 1000 + 90)).toBe("expired 1m ago");
  });

  it("advances the server's clock by the time elapsed here, never backwards", () => {
    expect(serverNow(1000, 50_000, 52_500)).toBe(1002);
    expect(serverNow(1000, 50_000, 49_000)).toBe(1000);
  });
});

describe("why a card is not running", () => {
  const facts = {
    dispatcher: { enabled: true, max_in_progress: 4, running: 1 },
    profiles: [{ name: "worker", max_in_progress: 2, running: 0 }],
  };

  it("says nothing for a ready card the next tick will start, or for other columns", () => {
    expect(whyIdle({ status: "ready", assignee: "worker" }, facts)).toBeNull();
    expect(whyIdle({ status: "running", assignee: null }, facts)).toBeNull();
    expect(whyIdle({ status: "blocked", assignee: null }, facts)).toBeNull();
  });

  it("names the global cap before a profile's cap", () => {
    const full = { ...facts, dispatcher: { enabled: true, max_in_progress: 4, running: 4 } };
    expect(whyIdle({ status: "ready", assignee: "worker" }, full)).toBe("At capacity (4/4 running)");
  });

  it("joins several reasons for a todo card waiting on parents", () => {
    const links = { parents: 1, children: 0 };
    expect(
      whyIdle({ status: "todo", assignee: null, waiting_on: ["t_1"], parked: false, link_counts: links }, facts),
    ).toBe("Waiting on parent t_1 · Unassigned");
  });

  it("says a todo card stays parked when a person put it there or it has no parents, as the kernel decides", () => {
    const parked = "Parked in Todo: it stays until someone moves it";
    expect(
      whyIdle({ status: "todo", assignee: "worker", parked: true, link_counts: { parents: 1, children: 0 } }, facts),
    ).toBe(parked);
    expect(
      whyIdle({ status: "todo", assignee: "worker", parked: false, link_counts: { parents: 0, children: 0 } }, facts),
    ).toBe(parked);
    // Parked, and also waiting on a parent linked since: both are said.
    expect(
      whyIdle(
        {
          status: "todo",
          assignee: "worker",
          parked: true,
          waiting_on: ["t_9"],
          link_counts: { parents: 1, children: 0 },
        },
        facts,
      ),
    ).toBe(`${parked} · Waiting on parent t_9`);
    // Waiting on parents that are all done now: the dispatcher's next pass promotes it.
    expect(
      whyIdle({ status: "todo", assignee: "worker", parked: false, link_counts: { parents: 2, children: 0 } }, facts),
    ).toBe("No unfinished parents: promoted to ready on the next tick");
  });

  it("says why a blocked card is blocked, and that its profile is paused", () => {
    const paused = {
      ...facts,
      paused_profiles: [
        { profile: "worker", fingerprint: "exit 1: bad key", failures: 3, paused_at: 1, task_id: null },
      ],
    };
    const gaveUp = { kind: "gave_up" as const, failures: 3, error: "exit 1: bad key" };
    expect(whyIdle({ status: "blocked", assignee: "worker", blocked_reason: gaveUp }, paused)).toBe(
      "Worker gave up after 3 failures: exit 1: bad key · Profile worker paused after repeated identical failures (Resume it above)",
    );
    const long = { kind: "blocked" as const, reason: "x".repeat(400), by: "alice" };
    const line = whyIdle({ status: "blocked", assignee: null, blocked_reason: long }, facts) ?? "";
    expect(line).toMatch(/^Blocked by alice: x+…$/);
    expect(line.length).toBe(160);
  });

  it("tells a pull lane from an assignee with no profile at all", () => {
    const withLanes = { ...facts, pull_lanes: ["pat"] };
    expect(whyIdle({ status: "ready", assignee: "pat" }, withLanes)).toBe(
      "pat is a pull lane: it takes work with switchyard claim",
    );
    expect(whyIdle({ status: "ready", assignee: "coder" }, withLanes)).toBe(
      "No profile named coder: add it to config.yaml, or take the task with switchyard claim",
    );
    expect(whyIdle({ status: "ready", assignee: "worker" }, withLanes)).toBeNull();
  });

  it("does not guess about spawnability or the dispatcher when the server does not say", () => {
    expect(whyIdle({ status: "ready", assignee: "anyone" }, {})).toBeNull();
  });

  it("lists names the way people write them", () => {
    expect([joinAnd([]), joinAnd(["a"]), joinAnd(["a", "b"]), joinAnd(["a", "b", "c"])]).toEqual([
      "",
      "a",
      "a and b",
      "a, b and c",
    ]);
  });
});

describe("board helpers", () => {
  it("moves keyboard focus within and across non-empty columns, staying put at the edges", () => {
    const columns = [
      { status: "triage" as const, ids: ["a"] },
      { status: "todo" as const, ids: [] },
      { status: "ready" as const, ids: ["b", "c", "d"] },
    ];
    expect(nextFocus(columns, null, "next")).toBe("a");
    expect(nextFocus(columns, "a", "right")).toBe("b");
    expect(nextFocus(columns, "d", "left")).toBe("a");
    expect(nextFocus(columns, "c", "next")).toBe("d");
    expect(nextFocus(columns, "d", "next")).toBe("d");
    expect(nextFocus(columns, "b", "prev")).toBe("b");
    expect(nextFocus(columns, "d", "right")).toBe("d");
    expect(nextFocus(columns, "gone", "next")).toBe("a");
  });

  it("groups running cards into lanes by assignee, sorted, with unassigned ones together", () => {
    const card = (id: string, assignee: string | null) =>
      ({ id, assignee }) as Parameters<typeof lanesByProfile>[0][number];
    const lanes = lanesByProfile([card("1", "zed"), card("2", null), card("3", "amy"), card("4", "zed")]);
    expect(lanes.map((l) => [l.name, l.cards.map((c) => c.id)])).toEqual([
      ["(unassigned)", ["2"]],
      ["amy", ["3"]],
      ["zed", ["1", "4"]],
    ]);
  });

  it("cleans typed board slugs and title-cases them for the default name", () => {
    expect(toSlugInput("My Board!")).toBe("my-board-");
    expect(toSlugInput("ops_2")).toBe("ops_2");
    expect(titleCaseSlug("research-lab_two")).toBe("Research Lab Two");
  });
});

describe("themes", () => {
  it("cycles system → light → dark, sets data-theme on the root and remembers the choice", () => {
    expect(readTheme()).toBe("system");
    const root = document.documentElement;
    const light = nextTheme("system");
    applyTheme(light);
    expect(root.getAttribute("data-theme")).toBe("light");
    expect(readTheme()).toBe("light");
    applyTheme(nextTheme(light));
    expect(root.getAttribute("data-theme")).toBe("dark");
    applyTheme(nextTheme("dark"));
    expect(root.hasAttribute("data-theme")).toBe(false);
    expect(readTheme()).toBe("system");
  });
});
