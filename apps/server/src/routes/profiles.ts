import { BoardQuery, ProfileParam } from "@switchyard/contract";
import { pausedProfiles, resumeProfile } from "@switchyard/core";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

/**
 * Switchyard: profiles the dispatcher paused on a board after repeated identical failures
 * (decision 013), and resuming one. A resume appends `profile_resumed`, which wakes the dispatcher.
 */
export function profileRoutes(deps: AppDeps) {
  return new Hono()
    .get("/profiles/paused", valid("query", BoardQuery), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      return c.json({ paused: await pausedProfiles(k) }, 200);
    })
    .post("/profiles/:name/resume", valid("param", ProfileParam), valid("query", BoardQuery), async (c) => {
      const { k } = await deps.boards.open(c.req.valid("query").board);
      const pause = await resumeProfile(k, c.req.valid("param").name, "dashboard");
      return c.json({ ok: true as const, profile: pause.profile, fingerprint: pause.fingerprint }, 200);
    });
}
