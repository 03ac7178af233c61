import { BoardParam, PolicyPatch, type PolicyResponse } from "@switchyard/contract";
import { getPolicy, setPolicy } from "@switchyard/core";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

/**
 * A board's completion policy (SPEC §12): the repository and base revision of its `worktree`
 * workspaces, what every completion must prove, and the command the board verifies it with.
 */
export function policyRoutes(deps: AppDeps) {
  return new Hono()
    .get("/boards/:slug/policy", valid("param", BoardParam), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("param").slug);
      return c.json({ policy: await getPolicy(k) } satisfies PolicyResponse, 200);
    })
    .patch("/boards/:slug/policy", valid("param", BoardParam), valid("json", PolicyPatch), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("param").slug);
      return c.json({ policy: await setPolicy(k, c.req.valid("json")) } satisfies PolicyResponse, 200);
    });
}
