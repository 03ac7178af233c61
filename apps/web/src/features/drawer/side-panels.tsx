import { errorMessage } from "../../api/errors.ts";
import { useHomeChannels, useToggleHomeChannel } from "../../api/home-channels.ts";
import { useLinkTasks, useUnlinkTasks } from "../../api/links.ts";
import { useAddComment } from "../../api/task-detail.ts";
import { LOG_TAIL_BYTES, useWorkerLog } from "../../api/worker-log.ts";
import { CommentInput } from "./comments.tsx";
import { Dependencies, type TaskOption } from "./dependencies.tsx";
import { HomeChannels } from "./home-channels.tsx";
import { WorkerLogView } from "./worker-log.tsx";

interface PanelProps {
  slug: string;
  taskId: string;
}

/** The notify toggles, wired to the home-channel API (nothing shows while there are none). */
export function HomeChannelsPanel({ slug, taskId }: PanelProps) {
  const channels = useHomeChannels(slug, taskId);
  const toggle = useToggleHomeChannel(slug, taskId);
  return (
    <HomeChannels
      channels={channels.data ?? []}
      error={toggle.error ? `Notify toggle failed: ${errorMessage(toggle.error)}` : null}
      onToggle={(platform, subscribe) => toggle.mutate({ platform, subscribe })}
    />
  );
}

/** Dependencies wired to the link API; a refusal (a cycle) shows the server's reason. */
export function DependenciesPanel({
  slug,
  taskId,
  parentIds,
  childIds,
  candidates,
}: PanelProps & { parentIds: readonly string[]; childIds: readonly string[]; candidates: readonly TaskOption[] }) {
  const link = useLinkTasks(slug);
  const unlink = useUnlinkTasks(slug);
  const failed = link.error ?? unlink.error;
  return (
    <Dependencies
      taskId={taskId}
      parentIds={parentIds}
      childIds={childIds}
      candidates={candidates}
      error={failed ? errorMessage(failed) : null}
      onLink={(l) => {
        unlink.reset();
        link.mutate(l);
      }}
      onUnlink={(l) => {
        link.reset();
        unlink.mutate(l);
      }}
    />
  );
}

/** The worker log's tail, refetched on demand. */
export function WorkerLogPanel({ slug, taskId }: PanelProps) {
  const log = useWorkerLog(slug, taskId);
  return (
    <WorkerLogView
      log={log.data}
      tailBytes={LOG_TAIL_BYTES}
      loading={log.isFetching}
      error={log.error ? `Could not read the worker log: ${errorMessage(log.error)}` : null}
      onRefresh={() => void log.refetch()}
    />
  );
}

/** The comment input, posting as the dashboard. */
export function CommentPanel({ slug, taskId }: PanelProps) {
  const add = useAddComment(slug, taskId);
  return (
    <CommentInput
      pending={add.isPending}
      error={add.error ? `Comment failed: ${errorMessage(add.error)}` : null}
      onSubmit={(body) => add.mutateAsync(body)}
    />
  );
}
