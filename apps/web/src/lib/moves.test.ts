import { describe, expect, it } from "vitest";
import { type MovableCard, moveRefusal, planBulkMove } from "./moves.ts";

const card = (id: string, status: MovableCard["status"], waiting_on?: string[]): MovableCard => ({
  id,
  status,
  ...(waiting_on ? { waiting_on } : {}),
});

describe("which moves a person may make from the board", () => {
  it("lets through the moves the transition table gives an operator", () => {
    expect(moveRefusal(card("t_1", "triage"), "todo")).toBeNull();
    expect(moveRefusal(card("t_1", "ready"), "blocked")).toBeNull();
    expect(moveRefusal(card("t_1", "blocked"), "ready")).toBeNull();
    expect(moveRefusal(card("t_1", "running"), "done")).toBeNull();
    expect(moveRefusal(card("t_1", "done"), "archived")).toBeNull();
  });

  it("refuses a move no transition allows, naming both columns", () => {
    expect(moveRefusal(card("t_1", "triage"), "done")).toBe(
      "Cannot move t_1 to Done: Triage → Done is not an allowed move.",
    );
    expect(moveRefusal(card("t_1", "ready"), "running")).toBe(
      "Cannot move t_1 to In Progress: Ready → In Progress is not an allowed move.",
    );
    expect(moveRefusal(card("t_1", "todo"), "blocked")).not.toBeNull();
  });

  it("refuses a move to ready while the card waits on parents, naming them", () => {
    expect(moveRefusal(card("t_3", "todo", ["t_1", "t_2"]), "ready")).toBe(
      "Cannot move t_3 to Ready: waiting on unfinished parents t_1 and t_2.",
    );
    expect(moveRefusal(card("t_3", "blocked", ["t_1"]), "ready")).toBe(
      "Cannot move t_3 to Ready: waiting on unfinished parent t_1.",
    );
    // Only moves guarded by parents_satisfied care: a waiting card may still be parked or archived.
    expect(moveRefusal(card("t_3", "todo", ["t_1"]), "triage")).toBeNull();
    expect(moveRefusal(card("t_3", "todo", ["t_1"]), "archived")).toBeNull();
  });

  it("refuses nothing for a card that is already there", () => {
    expect(moveRefusal(card("t_1", "ready", ["t_9"]), "ready")).toBeNull();
  });
});

describe("a bulk move", () => {
  it("sends the cards that may go, and reports the others with their reasons", () => {
    const cards = new Map([
      ["t_1", card("t_1", "running")],
      ["t_2", card("t_2", "triage")],
      ["t_3", card("t_3", "done")],
    ]);
    expect(planBulkMove(cards, ["t_1", "t_2", "t_3", "t_404"], "done")).toEqual({
      ids: ["t_1", "t_3", "t_404"],
      refused: [{ id: "t_2", ok: false, error: "Triage → Done is not an allowed move" }],
    });
  });
});
