import type { LinkBody } from "@switchyard/contract";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { boardParam, unwrap, useApi } from "./client.tsx";
import { ownWrite } from "./own-writes.ts";

/** `POST /links`; a cycle, a self-link or an unknown id is refused with the server's reason. */
export function useLinkTasks(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (link: LinkBody) => unwrap(api.client.links.$post({ query: boardParam(slug), json: link })),
    ...ownWrite(api, queryClient, slug),
  });
}

/** `DELETE /links`; the child's readiness is recomputed by the server. */
export function useUnlinkTasks(slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (link: LinkBody) => unwrap(api.client.links.$delete({ query: { ...boardParam(slug), ...link } })),
    ...ownWrite(api, queryClient, slug),
  });
}
