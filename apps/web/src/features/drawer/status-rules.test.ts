import { TASK_STATUSES, type TaskStatus } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { isStatusActionEnabled, STATUS_ACTIONS } from "./status-rules.ts";

function enabled(status: TaskStatus): string[] {
  return STATUS_ACTIONS.filter((action) => isStatusActionEnabled(action, status));
}

describe("the drawer's status buttons", () => {
  it("offer the moves the transition table gives a person from each status", () => {
    const table = Object.fromEntries(TASK_STATUSES.map((s) => [s, enabled(s)]));
    expect(table).toEqual({
      triage: ["ready", "archive"],
      todo: ["triage", "ready", "archive"],
      ready: ["triage", "block", "complete", "archive"],
      running: ["triage", "ready", "block", "complete", "archive"],
      blocked: ["triage", "ready", "unblock", "complete", "archive"],
      done: ["triage", "ready", "archive"],
      archived: ["triage", "ready"],
    });
  });
});
