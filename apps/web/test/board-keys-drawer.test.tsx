import { getTask } from "@switchyard/core";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { KEYS, MOD_KEYS, SHIFT_KEYS } from "../src/app/use-hotkeys.ts";
import { SHORTCUTS } from "../src/features/palette/shortcut-help.tsx";
import { boardHarness, card, column } from "./board-harness.tsx";

function openTaskId(): string | null {
  return new URLSearchParams(window.location.search).get("task");
}

describe("the keys with the drawer open", () => {
  it("j and k step the drawer through the task's column without closing it; Esc gives focus to the last one", async () => {
    const h = await boardHarness();
    await h.seed("Step one");
    const two = await h.seed("Step two");
    const three = await h.seed("Step three");
    await h.seed("Elsewhere", { triage: true });
    h.renderApp();
    const first = await screen.findByRole("article", { name: "Step one" });
    act(() => first.focus());
    const user = userEvent.setup();

    await user.keyboard("{Enter}");
    await screen.findByRole("dialog", { name: "Step one" });
    await user.keyboard("j");
    expect(await screen.findByRole("dialog", { name: "Step two" })).toBeInTheDocument();
    expect(openTaskId()).toBe(two.id);
    await user.keyboard("j");
    await screen.findByRole("dialog", { name: "Step three" });
    // The end of the column: j stays on the last task.
    await user.keyboard("j");
    expect(openTaskId()).toBe(three.id);
    await user.keyboard("k");
    await screen.findByRole("dialog", { name: "Step two" });
    expect(openTaskId()).toBe(two.id);

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() => expect(card("Step two")).toHaveFocus());
    await user.keyboard("k");
    expect(card("Step one")).toHaveFocus();
    expect(openTaskId()).toBeNull();
  });

  it("the task keys act on the drawer's task", async () => {
    const h = await boardHarness();
    await h.seed("Focused card");
    const t = await h.seed("In the drawer");
    window.history.replaceState(null, "", `/?task=${t.id}`);
    h.renderApp();
    const drawer = await screen.findByRole("dialog", { name: "In the drawer" });
    const user = userEvent.setup();

    await user.keyboard("p");
    await user.keyboard("3{Enter}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.priority).toBe(3));
    expect(drawer).toBeInTheDocument();

    await user.keyboard("s");
    const menu = screen.getByRole("dialog", { name: `Move ${t.id} to…` });
    await user.click(within(menu).getByRole("button", { name: /Triage/ }));
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("triage"));
    await within(column("Triage")).findByRole("article", { name: "In the drawer" });
    // The card moved under the drawer; the drawer keeps focus.
    expect(screen.getByRole("dialog", { name: "In the drawer" }).contains(document.activeElement)).toBe(true);

    await user.keyboard("{Control>}z{/Control}");
    await waitFor(async () => expect((await getTask(h.k, t.id))?.status).toBe("ready"));
    expect(openTaskId()).toBe(t.id);
  });
});

describe("keys that stand aside", () => {
  it("never fire while typing, or while a dialog other than the drawer is open", async () => {
    const h = await boardHarness();
    const t = await h.seed("Quiet card");
    window.history.replaceState(null, "", `/?task=${t.id}`);
    h.renderApp();
    const drawer = await screen.findByRole("dialog", { name: "Quiet card" });
    const user = userEvent.setup();

    // Typing in the drawer's comment box.
    await user.click(within(drawer).getByRole("textbox", { name: /comment/i }));
    await user.keyboard("apse#.");
    expect(screen.getAllByRole("dialog")).toHaveLength(1);
    expect((await getTask(h.k, t.id))?.status).toBe("ready");

    // A picker open over the drawer: its field takes the keys, and j/k do not step the drawer.
    act(() => drawer.focus());
    await user.keyboard("a");
    const picker = screen.getByRole("dialog", { name: `Assign ${t.id}` });
    await user.keyboard("jk");
    expect(within(picker).getByRole("combobox", { name: "Assignee" })).toHaveValue("jk");
    act(() => picker.focus());
    await user.keyboard("jkp{Delete}");
    expect(screen.getAllByRole("dialog")).toHaveLength(2);
    expect(openTaskId()).toBe(t.id);
    expect((await getTask(h.k, t.id))?.status).toBe("ready");
  });

  it("the shortcut help lists every key the page answers to", async () => {
    const tokens = (keys: string) => keys.split(/[\s,]+/);
    const spelled: Record<string, string> = {
      ArrowDown: "↓",
      ArrowUp: "↑",
      ArrowLeft: "←",
      ArrowRight: "→",
      Escape: "Esc",
    };
    const listed = (key: string, also: (t: string[]) => boolean = () => true) =>
      SHORTCUTS.some(([keys]) => tokens(keys).includes(spelled[key] ?? key) && also(tokens(keys)));
    for (const key of Object.keys(KEYS)) expect(listed(key), key).toBe(true);
    for (const key of Object.keys(SHIFT_KEYS))
      expect(
        listed(key, (t) => t.includes("Shift")),
        key,
      ).toBe(true);
    for (const key of Object.keys(MOD_KEYS)) {
      expect(
        listed(key.toUpperCase(), (t) => t.includes("Ctrl/⌘")),
        key,
      ).toBe(true);
    }

    const h = await boardHarness();
    h.renderApp();
    await screen.findByRole("region", { name: "Ready" });
    await userEvent.keyboard("?");
    const help = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    for (const [, what] of SHORTCUTS) expect(within(help).getByText(what)).toBeInTheDocument();
  });
});
