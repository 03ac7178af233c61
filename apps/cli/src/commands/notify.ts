import {
  type CliUnsubscribed,
  NotifyPlatform,
  NotifySubscribeBody,
  type NotifySubscription,
} from "@switchyard/contract";
import { addNotifySub, CoreError, listNotifySubs, removeNotifySub, requireTask } from "@switchyard/core";
import { InvalidArgumentError } from "commander";
import { parseInput } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";
import { stamp, table } from "../output.ts";

/** notify-subscribe, notify-list and notify-unsubscribe (reference §13; platforms of SPEC §9). */

function platform(text: string): string {
  const r = NotifyPlatform.safeParse(text.trim().toLowerCase());
  if (!r.success)
    throw new InvalidArgumentError(`unknown platform '${text}': use ${NotifyPlatform.options.join(" or ")}`);
  return r.data;
}

function nonBlank(what: string) {
  return (text: string): string => {
    const v = text.trim();
    if (!v) throw new InvalidArgumentError(`${what} must not be empty`);
    return v;
  };
}

interface SubscribeOpts {
  platform: string;
  chatId: string;
  threadId?: string;
  userId?: string;
  json?: boolean;
}

export const registerNotify: RegisterVerbs = (program, cli) => {
  program
    .command("notify-subscribe")
    .description("send a task's completed/blocked/gave_up/crashed/timed_out events to a chat")
    .argument("<id>", "the task")
    .requiredOption("--platform <platform>", "webhook or slack", platform)
    .requiredOption("--chat-id <id>", "where to post (the webhook URL for webhook and slack)", nonBlank("--chat-id"))
    .option("--thread-id <id>", "a thread within the chat")
    .option("--user-id <id>", "who subscribed")
    .option("--json", "print the subscription as notify-list --json lists it")
    .action(async (id: string, opts: SubscribeOpts) => {
      const sub = parseInput(NotifySubscribeBody, {
        platform: opts.platform as NotifyPlatform,
        chat_id: opts.chatId,
        thread_id: opts.threadId ?? "",
        user_id: opts.userId ?? null,
      });
      const k = await cli.kernel();
      const added = await addNotifySub(k, { task_id: id, ...sub });
      if (opts.json) return cli.json(added satisfies NotifySubscription);
      cli.out(`Subscribed ${sub.platform}:${sub.chat_id}${sub.thread_id ? `#${sub.thread_id}` : ""} to ${id}`);
    });

  program
    .command("notify-list")
    .description("list notification subscriptions (of one task, or all)")
    .argument("[id]", "the task")
    .option("--json", "print JSON")
    .action(async (id: string | undefined, opts: { json?: boolean }) => {
      const k = await cli.kernel();
      if (id) await requireTask(k, id);
      const subs: NotifySubscription[] = await listNotifySubs(k, id);
      if (opts.json) return cli.json(subs);
      if (subs.length === 0) return cli.out("(no subscriptions)");
      cli.out(
        table(
          ["TASK", "PLATFORM", "CHAT", "THREAD", "SINCE", "CURSOR"],
          subs.map((s) => [
            s.task_id,
            s.platform,
            s.chat_id,
            s.thread_id || "-",
            stamp(s.created_at),
            String(s.last_event_id),
          ]),
        ),
      );
    });

  program
    .command("notify-unsubscribe")
    .description("stop sending a task's events to a chat")
    .argument("<id>", "the task")
    .requiredOption("--platform <platform>", "webhook or slack", (t: string) => t.trim().toLowerCase())
    .requiredOption("--chat-id <id>", "the chat", nonBlank("--chat-id"))
    .option("--thread-id <id>", "the thread")
    .option("--json", "print {ok, task_id, platform, chat_id, thread_id}")
    .action(async (id: string, opts: { platform: string; chatId: string; threadId?: string; json?: boolean }) => {
      const removed = await removeNotifySub(await cli.kernel(), {
        task_id: id,
        platform: opts.platform,
        chat_id: opts.chatId,
        thread_id: opts.threadId ?? "",
      });
      if (!removed) {
        throw new CoreError("not_found", `no subscription of ${opts.platform}:${opts.chatId} to ${id}`, {
          task_id: id,
        });
      }
      if (opts.json) {
        const removed: CliUnsubscribed = {
          ok: true,
          task_id: id,
          platform: opts.platform,
          chat_id: opts.chatId,
          thread_id: opts.threadId ?? "",
        };
        return cli.json(removed);
      }
      cli.out(`Unsubscribed ${opts.platform}:${opts.chatId} from ${id}`);
    });
};
