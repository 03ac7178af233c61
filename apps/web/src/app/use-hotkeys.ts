import { useEffect, useRef } from "react";
import type { Command } from "../lib/commands.tsx";

/** Keys (without modifiers) and the command each one runs (SPEC §7). */
const KEYS: Readonly<Record<string, Command>> = {
  c: "create-task",
  "/": "focus-search",
  j: "focus-next",
  ArrowDown: "focus-next",
  k: "focus-prev",
  ArrowUp: "focus-prev",
  ArrowLeft: "focus-left",
  ArrowRight: "focus-right",
  x: "select-focused",
  m: "move-focused",
  Escape: "clear-selection",
};

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** Whether Enter here means "open the focused card" rather than pressing a control. */
function isCardOrPage(target: EventTarget | null): boolean {
  return target === document.body || (target instanceof HTMLElement && target.dataset.taskId !== undefined);
}

interface HotkeyHandlers {
  run(command: Command): boolean;
  togglePalette(): void;
  showHelp(): void;
}

/**
 * The page's keyboard: Cmd/Ctrl+K anywhere; the single keys only when no field has focus, no
 * dialog is open and no card is being dragged.
 */
export function useHotkeys(handlers: HotkeyHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const h = latest.current;
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        h.togglePalette();
        return;
      }
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event.target) || document.body.dataset.dragging === "true") return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (event.key === "?") {
        event.preventDefault();
        h.showHelp();
        return;
      }
      if (event.key === "Enter") {
        if (isCardOrPage(event.target) && h.run("open-focused")) event.preventDefault();
        return;
      }
      const command = KEYS[event.key];
      if (command && h.run(command)) event.preventDefault();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
