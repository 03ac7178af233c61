import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "../src/app/error-boundary.tsx";
import { boardHarness } from "./board-harness.tsx";

/** A component that throws while `fragile.broken` is set. */
const fragile = { broken: true };
function Fragile() {
  const [, rerender] = useState(0);
  if (fragile.broken) throw new Error("card exploded");
  return (
    <button type="button" onClick={() => rerender((n) => n + 1)}>
      Fine again
    </button>
  );
}

describe("the app shell", () => {
  it("says plainly when the board cannot be loaded, and keeps the rest of the page", async () => {
    const h = await boardHarness();
    writeFileSync(join(h.home.root, "kanban.db"), "this is not a SQLite database, just text\n".repeat(20));
    h.renderApp();
    const alert = await screen.findByText(/^Failed to load board: /, undefined, { timeout: 10_000 });
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent(/not a SQLite database|unreadable|corrupt/i);
    expect(screen.getByRole("searchbox", { name: "Search tasks" })).toBeInTheDocument();
  });

  it("shows a rendering error with a way to render again, instead of a blank page", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <ErrorBoundary>
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The board hit a rendering error: card exploded");
    fragile.broken = false;
    await userEvent.click(screen.getByRole("button", { name: "Reload view" }));
    expect(screen.getByRole("button", { name: "Fine again" })).toBeInTheDocument();
    quiet.mockRestore();
  });
});
