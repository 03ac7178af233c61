import { render } from "@testing-library/react";
import { Providers } from "../src/app/providers.tsx";
import { TaskDrawer } from "../src/features/drawer/task-drawer.tsx";
import { type BoardHarness, boardHarness, type HarnessOptions } from "./board-harness.tsx";

export interface DrawerHarness extends BoardHarness {
  /** Renders the drawer of a task on the default board; `showTask` switches it to another task, as the shell does. */
  renderDrawer(taskId: string, onClose?: () => void): ReturnType<typeof render> & { showTask(id: string): void };
}

/**
 * The board harness (the real server app in process on a temp home, manual clock, real kernel
 * and SQLite) with the drawer rendered on its own, in the dashboard's providers.
 */
export async function drawerHarness(options: HarnessOptions = {}): Promise<DrawerHarness> {
  const h = await boardHarness(options);
  const drawer = (taskId: string, onClose: () => void) => (
    <Providers api={h.api} queryClient={h.queryClient}>
      <TaskDrawer taskId={taskId} board={null} onClose={onClose} />
    </Providers>
  );
  return Object.assign(h, {
    renderDrawer(taskId: string, onClose: () => void = () => undefined) {
      const result = render(drawer(taskId, onClose));
      return Object.assign(result, { showTask: (id: string) => result.rerender(drawer(id, onClose)) });
    },
  });
}
