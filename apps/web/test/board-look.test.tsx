import { mkdirSync, writeFileSync } from "node:fs";
import { TASK_STATUSES } from "@switchyard/contract";
import { workerLogPath } from "@switchyard/runtime";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { StatusDot } from "../src/ui/status-dot.tsx";
import { boardHarness, column } from "./board-harness.tsx";
import { drawerHarness } from "./drawer-harness.tsx";

describe("status icons", () => {
  it("give every status a shape of its own, so none relies on colour alone", () => {
    const shapes = TASK_STATUSES.map((status) => {
      const { container, unmount } = render(<StatusDot status={status} />);
      const svg = container.querySelector("svg");
      const shape = svg?.innerHTML ?? "";
      expect(svg).toHaveAttribute("aria-hidden", "true");
      unmount();
      return shape;
    });
    expect(shapes.every((s) => s.length > 0)).toBe(true);
    expect(new Set(shapes).size).toBe(TASK_STATUSES.length);
  });

  it("head each column", async () => {
    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("region", { name: "Done" });
    for (const [label, status] of [
      ["Triage", "triage"],
      ["Ready", "ready"],
      ["Done", "done"],
    ] as const) {
      expect(column(label).querySelector(`.sy-column-head [data-status="${status}"] svg`)).not.toBeNull();
    }
  });
});

describe("the compact density", () => {
  it("is off at first, turns on from the toolbar, and is remembered across reloads like the theme", async () => {
    const h = await boardHarness();
    const user = userEvent.setup();
    const first = h.renderApp();
    const toggle = await screen.findByRole("button", { name: "Compact" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(document.documentElement).not.toHaveAttribute("data-density");

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(document.documentElement).toHaveAttribute("data-density", "compact");

    // A reload: a new page reads the choice back.
    first.unmount();
    document.documentElement.removeAttribute("data-density");
    h.renderApp();
    expect(await screen.findByRole("button", { name: "Compact" })).toHaveAttribute("aria-pressed", "true");
    expect(document.documentElement).toHaveAttribute("data-density", "compact");

    await user.click(screen.getByRole("button", { name: "Compact" }));
    expect(document.documentElement).not.toHaveAttribute("data-density");
    expect(window.localStorage.getItem("switchyard.density")).toBeNull();
  });
});

describe("the drawer's worker log", () => {
  it("is a named region that takes keyboard focus, so a long log can be scrolled without a mouse", async () => {
    const h = await drawerHarness();
    const task = await h.seed("Logged");
    mkdirSync(h.k.paths.logsDir, { recursive: true });
    writeFileSync(workerLogPath(h.k.paths, task.id), "line\n".repeat(400));
    h.renderDrawer(task.id);
    const dialog = await screen.findByRole("dialog", { name: "Logged" });
    const output = await within(dialog).findByRole("region", { name: "Worker log output" });
    expect(output).toHaveAttribute("tabindex", "0");
    output.focus();
    expect(output).toHaveFocus();
  });
});
