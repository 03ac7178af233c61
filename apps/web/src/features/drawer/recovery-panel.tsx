import { allows, type TaskDict } from "@switchyard/contract";
import { useState } from "react";
import { useDashboardConfig } from "../../api/board.ts";
import { errorMessage } from "../../api/errors.ts";
import { useReassignTask, useReclaimTask, useWaiveTask } from "../../api/recovery.ts";
import { useTaskDetail } from "../../api/task-detail.ts";
import { hasUnverifiedWarning } from "../../lib/warnings.ts";
import { modelHint } from "./model-hint.ts";
import { type ReassignInput, RecoveryForm, type RecoveryOutcome } from "./recovery-form.tsx";
import { RecoverySection, recoveryAttention } from "./recovery-section.tsx";
import { WaiveStep } from "./waive-step.tsx";

interface RecoveryPanelProps {
  slug: string;
  task: TaskDict;
  /** The board's assignees, offered for a reassign besides the configured profiles. */
  assignees: readonly string[];
}

/**
 * The Recovery section wired to the API: reclaim, reassign, the model hint and, while a refused
 * (unverified) completion is an active warning, "Accept without proof"; with their outcome.
 */
export function RecoveryPanel({ slug, task, assignees }: RecoveryPanelProps) {
  const reclaim = useReclaimTask(slug, task.id);
  const reassign = useReassignTask(slug, task.id);
  const waive = useWaiveTask(slug, task.id);
  const config = useDashboardConfig();
  // The drawer's own query (cached): its events say whether the task gave up.
  const detail = useTaskDetail(slug, task.id);
  const [outcome, setOutcome] = useState<RecoveryOutcome | null>(null);
  const profiles = [...assignees, ...(config.data?.profiles ?? []).map((p) => p.name)];

  function onReclaim(reason: string | null) {
    setOutcome(null);
    reclaim.mutate(reason, {
      onSuccess: () => setOutcome({ ok: true, text: `Reclaimed ${task.id}. Task back to ready.` }),
      onError: (error) => setOutcome({ ok: false, text: `Failed: ${errorMessage(error)}` }),
    });
  }

  function onReassign({ profile, reclaimFirst, reason }: ReassignInput) {
    setOutcome(null);
    reassign.mutate(
      { profile, reclaim_first: reclaimFirst, reason },
      {
        onSuccess: (r) => setOutcome({ ok: true, text: `Reassigned ${task.id} to ${r.assignee ?? "(unassigned)"}.` }),
        onError: (error) => setOutcome({ ok: false, text: `Failed: ${errorMessage(error)}` }),
      },
    );
  }

  function onWaive(reason: string) {
    setOutcome(null);
    waive.mutate(reason, {
      onSuccess: () => setOutcome({ ok: true, text: `Accepted ${task.id} without proof.` }),
      onError: (error) => setOutcome({ ok: false, text: `Failed: ${errorMessage(error)}` }),
    });
  }

  // Accepting without proof completes the task, so it is offered where a completion may start (running, ready, blocked).
  const waivable = allows("complete", task.status) && hasUnverifiedWarning(task.warnings);

  return (
    <RecoverySection
      warned={(task.warnings?.count ?? 0) > 0}
      attention={recoveryAttention(task, detail.data?.events ?? [])}
    >
      <RecoveryForm
        running={task.status === "running"}
        assignee={task.assignee}
        profiles={profiles}
        modelHint={modelHint(task.assignee, config.data)}
        pending={reclaim.isPending || reassign.isPending || waive.isPending}
        outcome={outcome}
        onReclaim={onReclaim}
        onReassign={onReassign}
      >
        {waivable ? <WaiveStep pending={waive.isPending} onWaive={onWaive} /> : null}
      </RecoveryForm>
    </RecoverySection>
  );
}
