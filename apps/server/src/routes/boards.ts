import {
  BoardMetaInput,
  BoardParam,
  type BoardSummary,
  BoardsQuery,
  CreateBoardBody,
  DeleteBoardQuery,
} from "@switchyard/contract";
import {
  boardCounts,
  boardExists,
  createBoard,
  currentBoard,
  DEFAULT_BOARD,
  listBoards,
  removeBoard,
  requireBoard,
  setCurrentBoard,
  writeBoardMeta,
} from "@switchyard/core";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

/** Boards (reference §1.1, §11): list, create, edit, remove, switch. */
export function boardsRoutes(deps: AppDeps) {
  const { home } = deps;
  return new Hono()
    .get("/boards", valid("query", BoardsQuery), async (c) => {
      const current = await currentBoard(home);
      const metas = await listBoards(home, { includeArchived: c.req.valid("query").include_archived ?? false });
      const boards: BoardSummary[] = [];
      for (const meta of metas) {
        const counts = await boardCounts(await deps.boards.kernel(meta.slug));
        boards.push({ ...meta, is_current: meta.slug === current, ...counts });
      }
      return c.json({ boards, current }, 200);
    })
    .post("/boards", valid("json", CreateBoardBody), async (c) => {
      const { slug, switch: switchTo, ...fields } = c.req.valid("json");
      const { board } = await createBoard(home, slug, fields, { now: deps.clock.now(), clock: deps.clock });
      if (switchTo) await setCurrentBoard(home, board.slug);
      return c.json({ board, current: await currentBoard(home) }, 200);
    })
    .patch("/boards/:slug", valid("param", BoardParam), valid("json", BoardMetaInput), async (c) => {
      const slug = await requireBoard(home, c.req.valid("param").slug);
      return c.json({ board: await writeBoardMeta(home, slug, c.req.valid("json"), deps.clock.now()) }, 200);
    })
    .delete("/boards/:slug", valid("param", BoardParam), valid("query", DeleteBoardQuery), async (c) => {
      const { slug } = c.req.valid("param");
      if (slug !== DEFAULT_BOARD && (await boardExists(home, slug))) {
        // Its connections close first: the file (or schema) is about to move or go.
        await Promise.all([deps.hub.forget(slug), deps.boards.forget(slug)]);
      }
      const result = await removeBoard(home, slug, { archive: !c.req.valid("query").delete, now: deps.clock.now() });
      return c.json({ result, current: await currentBoard(home) }, 200);
    })
    .post("/boards/:slug/switch", valid("param", BoardParam), async (c) => {
      await setCurrentBoard(home, c.req.valid("param").slug);
      return c.json({ current: await currentBoard(home) }, 200);
    });
}
