import { useMutation, useQueryClient } from "@tanstack/react-query";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { invalidateBoard } from "./own-writes.ts";

/**
 * `POST /profiles/:name/resume`: lets the dispatcher spawn for a profile it paused after
 * repeated identical failures (decision 013). The paused list itself comes with `GET /board`
 * and follows the live `profile_paused`/`profile_resumed` events; the board is refetched after.
 */
export function useResumeProfile(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.client.profiles[":name"].resume.$post({ param: { name }, query: boardParam(slug) })),
    onSettled: () => invalidateBoard(queryClient, slug),
  });
}
