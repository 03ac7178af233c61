import type { HomeChannelState } from "@switchyard/contract";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type Api, boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";

function homeChannelsKey(slug: string, id: string) {
  return [...boardKeys.task(slug, id), "home-channels"] as const;
}

/** `GET /home-channels?task_id=…`: the platforms with a home channel, and whether this task notifies each. */
export function homeChannelsQuery(api: Api, slug: string, id: string) {
  return queryOptions({
    queryKey: homeChannelsKey(slug, id),
    queryFn: () =>
      unwrap(api.client["home-channels"].$get({ query: { ...boardParam(slug), task_id: id } })).then(
        (r) => r.home_channels,
      ),
  });
}

export function useHomeChannels(slug: string, id: string) {
  return useQuery(homeChannelsQuery(useApi(), slug, id));
}

/**
 * Subscribes the task to a platform's home channel, or unsubscribes it: the toggle flips at
 * once and flips back when the server refuses.
 */
export function useToggleHomeChannel(slug: string, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = homeChannelsKey(slug, id);
  return useMutation({
    mutationFn: ({ platform, subscribe }: { platform: string; subscribe: boolean }) => {
      const route = api.client.tasks[":id"]["home-subscribe"][":platform"];
      const args = { param: { id, platform }, query: boardParam(slug) };
      return unwrap(subscribe ? route.$post(args) : route.$delete(args));
    },
    onMutate: async ({ platform, subscribe }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const snapshot = queryClient.getQueryData<HomeChannelState[]>(key);
      if (snapshot) {
        queryClient.setQueryData<HomeChannelState[]>(
          key,
          snapshot.map((c) => (c.platform === platform ? { ...c, subscribed: subscribe } : c)),
        );
      }
      return { snapshot };
    },
    onError: (_error, _toggle, context) => {
      if (context?.snapshot) queryClient.setQueryData(key, context.snapshot);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}
