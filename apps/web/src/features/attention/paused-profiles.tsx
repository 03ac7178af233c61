import type { ProfilePause } from "@switchyard/contract";
import { useBoard } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { errorMessage } from "../../api/errors.ts";
import { useResumeProfile } from "../../api/profiles.ts";

interface PausedProfilesProps {
  slug: string;
  view: BoardViewFilter;
  onOpenTask(id: string): void;
}

/**
 * Profiles the dispatcher paused on this board after repeated identical failures (decision 013):
 * one row each, naming the profile and the shared error, with the task that tripped the pause
 * and a Resume button. Nothing shows while no profile is paused.
 */
export function PausedProfiles({ slug, view, onOpenTask }: PausedProfilesProps) {
  const board = useBoard(slug, view);
  const resume = useResumeProfile(slug);
  const paused = board.data?.paused_profiles ?? [];
  if (paused.length === 0) return null;
  return (
    <section className="sy-attention sy-paused-profiles" aria-label="Paused profiles">
      <ul className="sy-attention-list">
        {paused.map((p) => (
          <PausedRow
            key={p.profile}
            pause={p}
            pending={resume.isPending && resume.variables === p.profile}
            onResume={() => resume.mutate(p.profile)}
            onOpenTask={onOpenTask}
          />
        ))}
      </ul>
      {resume.error ? (
        <p role="alert" className="sy-error">
          Resume failed: {errorMessage(resume.error)}
        </p>
      ) : null}
    </section>
  );
}

interface PausedRowProps {
  pause: ProfilePause;
  pending: boolean;
  onResume(): void;
  onOpenTask(id: string): void;
}

function PausedRow({ pause, pending, onResume, onOpenTask }: PausedRowProps) {
  const { profile, fingerprint, failures, task_id } = pause;
  return (
    <li className="sy-attention-row">
      <span>
        ⏸ Profile <strong>@{profile}</strong> paused after {failures} identical failures
      </span>
      <code className="sy-attention-title" title={fingerprint}>
        {fingerprint}
      </code>
      {task_id ? (
        <button type="button" className="sy-button sy-button-quiet" onClick={() => onOpenTask(task_id)}>
          Open {task_id}
        </button>
      ) : null}
      <button
        type="button"
        className="sy-button"
        aria-label={`Resume ${profile}`}
        disabled={pending}
        onClick={onResume}
      >
        Resume
      </button>
    </li>
  );
}
