import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef } from "react";

/**
 * Commands that one part of the page offers and others (the keyboard, the command palette)
 * invoke, so features never import each other: a feature registers a handler, the shell runs it.
 */
export type Command =
  | "create-task"
  | "focus-search"
  | "focus-next"
  | "focus-prev"
  | "focus-left"
  | "focus-right"
  | "open-focused"
  | "select-focused"
  | "move-focused"
  | "clear-selection"
  | "assign-focused"
  | "priority-focused"
  | "edit-title-focused"
  | "archive-focused"
  | "task-actions"
  | "extend-next"
  | "extend-prev"
  | "select-column"
  | "undo"
  | "toggle-fleet";

/** Runs a command; returning `false` says it did not apply here (nothing focused, say). */
type Handler = () => unknown;

interface CommandBus {
  register(command: Command, handler: Handler): () => void;
  /** Runs the command; false when nothing on the page handles it, or its handler said it did not apply. */
  run(command: Command): boolean;
}

function createCommandBus(): CommandBus {
  const handlers = new Map<Command, Handler[]>();
  return {
    register(command, handler) {
      handlers.set(command, [...(handlers.get(command) ?? []), handler]);
      return () =>
        handlers.set(
          command,
          (handlers.get(command) ?? []).filter((h) => h !== handler),
        );
    },
    run(command) {
      const list = handlers.get(command) ?? [];
      const last = list.at(-1);
      return last !== undefined && last() !== false;
    },
  };
}

const CommandContext = createContext<CommandBus | null>(null);

export function CommandProvider({ children }: { children: ReactNode }) {
  const bus = useMemo(createCommandBus, []);
  return <CommandContext.Provider value={bus}>{children}</CommandContext.Provider>;
}

function useBus(): CommandBus {
  const bus = useContext(CommandContext);
  if (!bus) throw new Error("CommandProvider is missing");
  return bus;
}

/** Offers `command` while the component is mounted; the latest handler always runs. */
export function useCommand(command: Command, handler: Handler): void {
  const bus = useBus();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => bus.register(command, () => latest.current()), [bus, command]);
}

export function useRunCommand(): (command: Command) => boolean {
  return useBus().run;
}
