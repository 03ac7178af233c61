import type { FleetFigures } from "@switchyard/contract";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { type Api, boardParam, unwrap, useApi } from "./client.tsx";
import { boardKeys } from "./keys.ts";

/** The windows the fleet page offers, and their length in seconds. */
export const FLEET_WINDOWS = { hour: 3600, day: 86_400, week: 7 * 86_400 } as const;
export type FleetWindow = keyof typeof FLEET_WINDOWS;

/**
 * `GET /fleet` over the last hour, day or week. The window ends at the server's "now", which
 * `serverNow` gives in Unix seconds (the server's clock, not this machine's: a `since` after the
 * server's now is refused). The live stream refreshes every window's figures (`boardKeys.fleets`).
 */
export function fleetQuery(api: Api, slug: string, span: FleetWindow, serverNow: () => number) {
  return queryOptions({
    queryKey: boardKeys.fleet(slug, span),
    queryFn: (): Promise<FleetFigures> =>
      unwrap(
        api.client.fleet.$get({
          query: { ...boardParam(slug), since: String(Math.max(0, serverNow() - FLEET_WINDOWS[span])) },
        }),
      ),
    // While another window loads, the figures shown stay up.
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[1] === slug ? previous : undefined),
  });
}

/** The fleet figures of one window; waits until `serverNow` is known (null until then). */
export function useFleet(slug: string, span: FleetWindow, serverNow: (() => number) | null) {
  return useQuery({
    ...fleetQuery(useApi(), slug, span, serverNow ?? (() => 0)),
    enabled: serverNow !== null,
  });
}
