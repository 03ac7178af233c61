import { BoardQuery, LinkBody, LinkQuery } from "@switchyard/contract";
import { linkTasks, unlinkTasks } from "@switchyard/core";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

/** Dependencies (reference §4, §11). */
export function linkRoutes(deps: AppDeps) {
  return new Hono()
    .post("/links", valid("query", BoardQuery), valid("json", LinkBody), async (c) => {
      const { parent_id, child_id } = c.req.valid("json");
      const { k } = await deps.boards.open(c.req.valid("query").board);
      await linkTasks(k, parent_id, child_id);
      return c.json({ ok: true }, 200);
    })
    .delete("/links", valid("query", LinkQuery), async (c) => {
      const { parent_id, child_id, board } = c.req.valid("query");
      const { k } = await deps.boards.open(board);
      return c.json({ ok: await unlinkTasks(k, parent_id, child_id) }, 200);
    });
}
