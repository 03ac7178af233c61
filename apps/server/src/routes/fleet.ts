import { type Config, FleetQuery } from "@switchyard/contract";
import { fleetFigures, isCoreError, withFleetConfig } from "@switchyard/core";
import { fleetConfig } from "@switchyard/runtime";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";
import { runningEverywhere } from "./board.ts";

/**
 * `GET /fleet?board=&since=` (issue 19): the board's fleet figures over the window from `since`
 * (default: the last 24 hours), with caps and the queue's reasons from the config. An unreadable
 * config leaves them out, as `GET /board` leaves out its dispatcher section.
 */
export function fleetRoutes(deps: AppDeps) {
  return new Hono().get("/fleet", valid("query", FleetQuery), async (c) => {
    const query = c.req.valid("query");
    const { k } = await deps.boards.open(query.board);
    const figures = await fleetFigures(k, { since: query.since });
    let config: Config;
    try {
      config = deps.config();
    } catch (err) {
      if (isCoreError(err)) return c.json(figures, 200);
      throw err;
    }
    return c.json(withFleetConfig(figures, fleetConfig(deps.home, config, await runningEverywhere(deps))), 200);
  });
}
