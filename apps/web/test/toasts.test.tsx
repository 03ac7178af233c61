import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ToastStack } from "../src/app/toast-stack.tsx";
import { MAX_NOTICES, NOTICE_DURATION, type NoticeApi, NoticeProvider, useNotice } from "../src/lib/notices.tsx";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const api: { current: NoticeApi | null } = { current: null };

/** Hands the notice functions to the test, as `useNotice` gives them to any caller. */
function Grab() {
  api.current = useNotice();
  return null;
}

/** The stack alone, with a handle on the notice functions its callers use. */
function renderStack(): NoticeApi {
  api.current = null;
  render(
    <NoticeProvider>
      <Grab />
      <ToastStack />
    </NoticeProvider>,
  );
  if (!api.current) throw new Error("no notice api");
  return api.current;
}

function texts(): string[] {
  const stack = screen.getByRole("region", { name: "Notifications" });
  return [...stack.querySelectorAll('[role="alert"], [role="status"]')].map((t) => t.firstChild?.textContent ?? "");
}

describe("the toast stack", () => {
  it("shows errors as alerts and news as status, each with a Dismiss message button", () => {
    const notice = renderStack();
    act(() => {
      notice.show("Move failed: Move not allowed: it is triage");
      notice.show("Moved t_1 to Ready.", "info");
    });
    expect(screen.getByRole("alert")).toHaveTextContent("Move failed: Move not allowed: it is triage");
    expect(screen.getByRole("status")).toHaveTextContent("Moved t_1 to Ready.");
    act(() => within(screen.getByRole("alert")).getByRole("button", { name: "Dismiss message" }).click());
    expect(screen.queryByRole("alert")).toBeNull();
    expect(texts()).toEqual(["Moved t_1 to Ready."]);
  });

  it("lets news go after its time, and errors a few seconds later", () => {
    const notice = renderStack();
    act(() => {
      notice.show("Refused");
      notice.show("Saved", "info");
    });
    act(() => vi.advanceTimersByTime(NOTICE_DURATION.info - 1));
    expect(texts()).toEqual(["Refused", "Saved"]);
    act(() => vi.advanceTimersByTime(1));
    expect(texts()).toEqual(["Refused"]);
    expect(NOTICE_DURATION.error - NOTICE_DURATION.info).toBeGreaterThanOrEqual(3000);
    act(() => vi.advanceTimersByTime(NOTICE_DURATION.error - NOTICE_DURATION.info - 1));
    expect(texts()).toEqual(["Refused"]);
    act(() => vi.advanceTimersByTime(1));
    expect(texts()).toEqual([]);
  });

  it("keeps a toast while the pointer rests on the stack or focus is in it", () => {
    const notice = renderStack();
    act(() => {
      notice.show("Moved t_1 to Todo.", { tone: "info", action: { label: "Undo", run: () => {} } });
    });
    const stack = screen.getByRole("region", { name: "Notifications" });
    fireEvent.mouseEnter(stack);
    act(() => vi.advanceTimersByTime(NOTICE_DURATION.info * 3));
    expect(texts()).toEqual(["Moved t_1 to Todo."]);
    fireEvent.mouseLeave(stack);
    act(() => within(stack).getByRole("button", { name: "Undo" }).focus());
    act(() => vi.advanceTimersByTime(NOTICE_DURATION.info * 3));
    expect(texts()).toEqual(["Moved t_1 to Todo."]);
    act(() => (document.activeElement as HTMLElement).blur());
    act(() => vi.advanceTimersByTime(NOTICE_DURATION.info));
    expect(texts()).toEqual([]);
  });

  it("replaces a notice about the same thing, takes it down on resolve, and keeps the newest few", () => {
    const notice = renderStack();
    act(() => {
      notice.show("Move failed: Waiting on parents", { key: "task:t_1" });
      notice.show("Bulk: 1 of 2 failed");
    });
    act(() => {
      notice.show("Moved t_1 to Triage.", { tone: "info", key: "task:t_1" });
    });
    expect(texts()).toEqual(["Bulk: 1 of 2 failed", "Moved t_1 to Triage."]);
    act(() => notice.resolve("task:t_1"));
    expect(texts()).toEqual(["Bulk: 1 of 2 failed"]);
    act(() => {
      for (let i = 1; i <= MAX_NOTICES + 1; i++) notice.show(`News ${i}`, "info");
    });
    expect(texts()).toHaveLength(MAX_NOTICES);
    expect(texts().at(-1)).toBe(`News ${MAX_NOTICES + 1}`);
  });

  it("runs a toast's action once and takes the toast down", () => {
    const notice = renderStack();
    const run = vi.fn();
    act(() => {
      notice.show("Archived t_2.", { tone: "info", action: { label: "Undo", run } });
    });
    act(() => screen.getByRole("button", { name: "Undo" }).click());
    expect(run).toHaveBeenCalledTimes(1);
    expect(texts()).toEqual([]);
  });
});
