import { BoardQuery, LinkBody, LinkQuery } from "@switchyard/contract";
import { linkTasks, unlinkTasks } from "@switchyard/core";
import { Hono } from "hono";
import { type AppDeps, type AppEnv, openBoardFor } from "../deps.ts";
import { valid } from "../validate.ts";

/** Dependencies (reference §4, §11). */
export function linkRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post("/links", valid("query", BoardQuery), valid("json", LinkBody), (c) => {
      const { parent_id, child_id } = c.req.valid("json");
      const { k } = openBoardFor(deps, c, c.req.valid("query").board);
      linkTasks(k, parent_id, child_id);
      return c.json({ ok: true }, 200);
    })
    .delete("/links", valid("query", LinkQuery), (c) => {
      const { parent_id, child_id, board } = c.req.valid("query");
      const { k } = openBoardFor(deps, c, board);
      return c.json({ ok: unlinkTasks(k, parent_id, child_id) }, 200);
    });
}
