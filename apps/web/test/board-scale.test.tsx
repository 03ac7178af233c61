import { createTask } from "@switchyard/core";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boardHarness, column, layOutBoard } from "./board-harness.tsx";

let restore: () => void = () => {};
beforeEach(() => {
  restore = layOutBoard();
});
afterEach(() => restore());

describe("a board of 2,000 cards", () => {
  it("renders only the cards in view of a long column, and search still reaches every card", async () => {
    const h = await boardHarness();
    const board = await h.kernel("default");
    await board.write(async (k) => {
      for (let i = 0; i < 2000; i++) await createTask(k, { title: `Bulk task ${String(i).padStart(4, "0")}` });
    });
    h.renderApp();
    const ready = await screen.findByRole("region", { name: "Ready" });
    await within(ready).findByRole("article", { name: "Bulk task 0000" });
    expect(within(ready).getByText("2000")).toBeInTheDocument();
    const list = within(ready).getByRole("list", { name: "Ready tasks" });
    const rendered = within(list).getAllByRole("article").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60);

    await userEvent.type(screen.getByRole("searchbox", { name: "Search tasks" }), "Bulk task 1999");
    await waitFor(() => expect(within(column("Ready")).getAllByRole("article")).toHaveLength(1));
    expect(within(column("Ready")).getByRole("article", { name: "Bulk task 1999" })).toBeInTheDocument();
  });
});
