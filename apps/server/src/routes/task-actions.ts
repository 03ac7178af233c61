import {
  BoardQuery,
  CommentBody,
  type Config,
  type HomeChannelState,
  HomeChannelsQuery,
  HomeSubscribeParam,
  LogQuery,
  NOTIFY_PLATFORMS,
  ReassignBody,
  ReclaimBody,
  TaskParam,
  WaiveBody,
} from "@switchyard/contract";
import {
  addComment,
  addNotifySub,
  CoreError,
  listNotifySubs,
  notFound,
  reassignTask,
  reclaimTask,
  removeNotifySub,
  requireTask,
  taskDict,
  waiveCompletion,
} from "@switchyard/core";
import { readWorkerLog } from "@switchyard/runtime";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { valid } from "../validate.ts";

type HomeChannel = Omit<HomeChannelState, "subscribed">;

/** The home channels of `notify.home`, sorted by platform. */
function homeChannels(config: Config): HomeChannel[] {
  return [...NOTIFY_PLATFORMS].sort().flatMap((platform) => {
    const home = config.notify.home[platform];
    return home ? [{ platform, chat_id: home.chat_id, thread_id: home.thread_id, name: home.name ?? platform }] : [];
  });
}

function homeChannelOf(config: Config, platform: string): HomeChannel {
  const channel = homeChannels(config).find((h) => h.platform === platform);
  if (!channel) {
    throw new CoreError(
      "not_found",
      `no home channel for platform '${platform}': set notify.home.${(NOTIFY_PLATFORMS as readonly string[]).includes(platform) ? platform : "<webhook|slack>"} in config.yaml`,
    );
  }
  return channel;
}

/** What a task's operator does to it besides moving it: comments, recovery, waivers, logs, notifications. */
export function taskActionRoutes(deps: AppDeps) {
  return new Hono()
    .post(
      "/tasks/:id/comments",
      valid("param", TaskParam),
      valid("query", BoardQuery),
      valid("json", CommentBody),
      async (c) => {
        const { id } = c.req.valid("param");
        const { body, author } = c.req.valid("json");
        const { k } = await deps.boards.open(c.req.valid("query").board);
        await addComment(k, id, author, body);
        return c.json({ ok: true }, 200);
      },
    )
    .post(
      "/tasks/:id/reclaim",
      valid("param", TaskParam),
      valid("query", BoardQuery),
      valid("json", ReclaimBody),
      async (c) => {
        const { id } = c.req.valid("param");
        const { k } = await deps.boards.open(c.req.valid("query").board);
        const worker = await reclaimTask(k, id, { reason: c.req.valid("json").reason });
        deps.stopWorker?.(worker, k);
        return c.json({ ok: true as const, task_id: id }, 200);
      },
    )
    .post(
      "/tasks/:id/reassign",
      valid("param", TaskParam),
      valid("query", BoardQuery),
      valid("json", ReassignBody),
      async (c) => {
        const { id } = c.req.valid("param");
        const body = c.req.valid("json");
        const { k } = await deps.boards.open(c.req.valid("query").board);
        const { task, reclaimed } = await reassignTask(k, id, body.profile ?? null, {
          reclaimFirst: body.reclaim_first,
          reason: body.reason,
        });
        if (reclaimed) deps.stopWorker?.(reclaimed, k);
        return c.json({ ok: true as const, task_id: id, assignee: task.assignee }, 200);
      },
    )
    .post(
      "/tasks/:id/waive",
      valid("param", TaskParam),
      valid("query", BoardQuery),
      valid("json", WaiveBody),
      async (c) => {
        // "Accept without proof" (SPEC §12): completes the task on a person's word, with the reason audited.
        const { id } = c.req.valid("param");
        const { reason, author, result } = c.req.valid("json");
        const { k } = await deps.boards.open(c.req.valid("query").board);
        await waiveCompletion(k, id, { reason, by: author, result: result ?? null });
        const task = await taskDict(k, id);
        if (!task) throw notFound(id);
        return c.json({ task }, 200);
      },
    )
    .get("/tasks/:id/log", valid("param", TaskParam), valid("query", LogQuery), async (c) => {
      const { id } = c.req.valid("param");
      const query = c.req.valid("query");
      const { k } = await deps.boards.open(query.board);
      await requireTask(k, id);
      return c.json(readWorkerLog(k.paths, id, query.tail), 200);
    })
    .get("/home-channels", valid("query", HomeChannelsQuery), async (c) => {
      const query = c.req.valid("query");
      const { k } = await deps.boards.open(query.board);
      if (query.task_id) await requireTask(k, query.task_id);
      const subs = query.task_id ? await listNotifySubs(k, query.task_id) : [];
      const home_channels: HomeChannelState[] = homeChannels(deps.config()).map((h) => ({
        ...h,
        subscribed: subs.some(
          (s) => s.platform === h.platform && s.chat_id === h.chat_id && s.thread_id === h.thread_id,
        ),
      }));
      return c.json({ home_channels }, 200);
    })
    .post(
      "/tasks/:id/home-subscribe/:platform",
      valid("param", HomeSubscribeParam),
      valid("query", BoardQuery),
      async (c) => {
        const { id, platform } = c.req.valid("param");
        const home_channel = homeChannelOf(deps.config(), platform);
        const { k } = await deps.boards.open(c.req.valid("query").board);
        await addNotifySub(k, {
          task_id: id,
          platform,
          chat_id: home_channel.chat_id,
          thread_id: home_channel.thread_id,
        });
        return c.json({ ok: true, task_id: id, home_channel }, 200);
      },
    )
    .delete(
      "/tasks/:id/home-subscribe/:platform",
      valid("param", HomeSubscribeParam),
      valid("query", BoardQuery),
      async (c) => {
        const { id, platform } = c.req.valid("param");
        const home_channel = homeChannelOf(deps.config(), platform);
        const { k } = await deps.boards.open(c.req.valid("query").board);
        await requireTask(k, id);
        await removeNotifySub(k, {
          task_id: id,
          platform,
          chat_id: home_channel.chat_id,
          thread_id: home_channel.thread_id,
        });
        return c.json({ ok: true, task_id: id, home_channel }, 200);
      },
    );
}
