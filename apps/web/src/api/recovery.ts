import type { ReassignBody, TaskDict } from "@switchyard/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { ownWrite } from "./own-writes.ts";

/** `POST /tasks/:id/reclaim`: a running task back to ready now; 409 when nothing runs. */
export function useReclaimTask(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string | null) =>
      unwrap(api.client.tasks[":id"].reclaim.$post({ param: { id }, query: boardParam(slug), json: { reason } })),
    ...ownWrite(api, queryClient, slug),
  });
}

/** `POST /tasks/:id/reassign`; a running task is refused (409) unless `reclaim_first`. */
export function useReassignTask(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof ReassignBody>) =>
      unwrap(api.client.tasks[":id"].reassign.$post({ param: { id }, query: boardParam(slug), json: body })),
    ...ownWrite(api, queryClient, slug),
  });
}

/**
 * `POST /tasks/:id/waive` ("Accept without proof", SPEC §12): completes a task whose completion
 * could not be verified, on a person's word; the reason is required and audited.
 */
export function useWaiveTask(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.client.tasks[":id"].waive.$post({ param: { id }, query: boardParam(slug), json: { reason } })),
    ...ownWrite(api, queryClient, slug, ({ task }: { task: TaskDict }) => ({ tasks: [{ task }] })),
  });
}
