import type { CreateTaskBody, TaskStatus } from "@switchyard/contract";
import { useState } from "react";
import { useCreateTask } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { useNotice } from "../../lib/notices.tsx";

/** Which column's "+" form is open, and creating a task from it (`c` opens the create dialog instead). */
export function useInlineCreate(slug: string) {
  const [column, setColumn] = useState<TaskStatus | null>(null);
  const create = useCreateTask(slug);
  const notice = useNotice();

  function submit(body: CreateTaskBody) {
    create.mutate(body, {
      onSuccess: (result) => {
        setColumn(null);
        if (result.warning) notice.show(`Task created, but: ${result.warning}`, "info");
      },
    });
  }

  return {
    column,
    toggle: (status: TaskStatus) => {
      create.reset();
      setColumn((open) => (open === status ? null : status));
    },
    close: () => setColumn(null),
    submit,
    pending: create.isPending,
    error: create.error ? errorMessage(create.error, "creating the task") : null,
  };
}
