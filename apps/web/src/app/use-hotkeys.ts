import { useEffect, useRef } from "react";
import type { Command } from "../lib/commands.tsx";

/** Keys (without Ctrl/Cmd/Alt) and the command each one runs (SPEC §7). */
export const KEYS: Readonly<Record<string, Command>> = {
  c: "create-task",
  "/": "focus-search",
  j: "focus-next",
  ArrowDown: "focus-next",
  k: "focus-prev",
  ArrowUp: "focus-prev",
  ArrowLeft: "focus-left",
  ArrowRight: "focus-right",
  J: "extend-next",
  K: "extend-prev",
  x: "select-focused",
  m: "move-focused",
  s: "move-focused",
  a: "assign-focused",
  p: "priority-focused",
  e: "edit-title-focused",
  ".": "task-actions",
  Delete: "archive-focused",
  "#": "archive-focused",
  Escape: "clear-selection",
  f: "toggle-fleet",
};

/** With Shift, the arrows extend the selection as Shift+j/k do. */
export const SHIFT_KEYS: Readonly<Record<string, Command>> = { ArrowDown: "extend-next", ArrowUp: "extend-prev" };

/** With Ctrl (Cmd on a Mac). */
export const MOD_KEYS: Readonly<Record<string, Command>> = { z: "undo", a: "select-column" };

/**
 * The keys that still work while the task drawer is open: they act on the drawer's task, and
 * j/k step it through its column. Arrows, Enter, Space and Esc keep their meaning inside it.
 */
export const DRAWER_KEYS: ReadonlySet<string> = new Set(["c", "j", "k", "m", "s", "a", "p", "e", ".", "Delete", "#"]);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function isCard(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.dataset.taskId !== undefined;
}

/** Whether Enter here means "open the focused card" rather than pressing a control. */
function isCardOrPage(target: EventTarget | null): boolean {
  return target === document.body || isCard(target);
}

/** A modal dialog other than the task drawer (`.sy-drawer`): a picker, a confirmation, the palette. */
function otherDialogOpen(): boolean {
  return [...document.querySelectorAll('[aria-modal="true"], [role="alertdialog"]')].some(
    (el) => !el.classList.contains("sy-drawer"),
  );
}

interface HotkeyHandlers {
  run(command: Command): boolean;
  togglePalette(): void;
  showHelp(): void;
  /** Whether the task drawer is open (`?task=`). */
  drawerOpen: boolean;
  /** Whether the board-wide command palette is the dialog that is open. */
  paletteOpen: boolean;
}

/**
 * The page's keyboard. Cmd/Ctrl+K opens the actions of the focused card or the drawer's task,
 * else the command palette. The other keys work only when no field has focus, no card is being
 * dragged and no dialog but the drawer is open; with the drawer open, only `DRAWER_KEYS`.
 */
export function useHotkeys(handlers: HotkeyHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const h = latest.current;
      const mod = event.metaKey || event.ctrlKey;
      if (mod && event.key.toLowerCase() === "k" && !event.altKey) {
        event.preventDefault();
        if (otherDialogOpen()) {
          if (h.paletteOpen) h.togglePalette();
          return;
        }
        if ((h.drawerOpen || isCard(event.target)) && h.run("task-actions")) return;
        h.togglePalette();
        return;
      }
      if (event.defaultPrevented || event.altKey) return;
      if (isTyping(event.target) || document.body.dataset.dragging === "true" || otherDialogOpen()) return;
      if (mod) {
        const command = event.shiftKey ? undefined : MOD_KEYS[event.key.toLowerCase()];
        if (command && h.run(command)) event.preventDefault();
        return;
      }
      if (event.key === "?") {
        event.preventDefault();
        h.showHelp();
        return;
      }
      // Shift+j is "J" in a browser; some keyboards (and synthetic events) say "j" with shiftKey.
      const key = event.shiftKey && /^[a-z]$/.test(event.key) ? event.key.toUpperCase() : event.key;
      if (h.drawerOpen && !DRAWER_KEYS.has(key)) return;
      if (key === "Enter") {
        if (isCardOrPage(event.target) && h.run("open-focused")) event.preventDefault();
        return;
      }
      const command = (event.shiftKey ? SHIFT_KEYS[key] : undefined) ?? KEYS[key];
      if (command && h.run(command)) event.preventDefault();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
