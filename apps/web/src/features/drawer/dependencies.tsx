import { useId, useState } from "react";

export interface TaskOption {
  id: string;
  title: string;
}

interface DependenciesProps {
  taskId: string;
  parentIds: readonly string[];
  childIds: readonly string[];
  /** Every task on the board, to pick new parents and children from. */
  candidates: readonly TaskOption[];
  error: string | null;
  onLink(link: { parent_id: string; child_id: string }): void;
  onUnlink(link: { parent_id: string; child_id: string }): void;
}

/**
 * Parent and child chips with × to unlink, and pickers to add a parent or a child. The
 * pickers leave out the task itself and tasks already linked; a refusal (a cycle) shows the
 * server's reason.
 */
export function Dependencies({ taskId, parentIds, childIds, candidates, error, onLink, onUnlink }: DependenciesProps) {
  const linked = new Set([taskId, ...parentIds, ...childIds]);
  const options = candidates.filter((t) => !linked.has(t.id));
  const titles = new Map(candidates.map((t) => [t.id, t.title]));

  function chip(id: string, role: "parent" | "child") {
    const link = role === "parent" ? { parent_id: id, child_id: taskId } : { parent_id: taskId, child_id: id };
    return (
      <li key={id} className="sy-chip">
        <code>{id}</code>
        {titles.has(id) ? <span className="sy-chip-title">{titles.get(id)}</span> : null}
        <button
          className="sy-icon-button"
          type="button"
          aria-label={`Unlink ${role} ${id}`}
          onClick={() => onUnlink(link)}
        >
          ×
        </button>
      </li>
    );
  }

  return (
    <section className="sy-drawer-section" aria-label="Dependencies">
      <h3>Dependencies</h3>
      <div className="sy-dep-row">
        <span>Parents</span>
        {parentIds.length ? <ul className="sy-chips">{parentIds.map((id) => chip(id, "parent"))}</ul> : <span>—</span>}
      </div>
      <div className="sy-dep-row">
        <span>Children</span>
        {childIds.length ? <ul className="sy-chips">{childIds.map((id) => chip(id, "child"))}</ul> : <span>—</span>}
      </div>
      <div className="sy-button-row">
        <LinkPicker side="parent" options={options} onPick={(id) => onLink({ parent_id: id, child_id: taskId })} />
        <LinkPicker side="child" options={options} onPick={(id) => onLink({ parent_id: taskId, child_id: id })} />
      </div>
      {error ? (
        <p role="alert" className="sy-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** "— add parent —" / "— add child —": a task picker and its button. */
function LinkPicker({
  side,
  options,
  onPick,
}: {
  side: "parent" | "child";
  options: readonly TaskOption[];
  onPick(id: string): void;
}) {
  const [picked, setPicked] = useState("");
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="sy-visually-hidden">
        Add {side}
      </label>
      <select className="sy-input" id={id} value={picked} onChange={(e) => setPicked(e.target.value)}>
        <option value="">— add {side} —</option>
        {options.map((t) => (
          <option key={t.id} value={t.id}>
            {t.id} {t.title}
          </option>
        ))}
      </select>
      <button
        className="sy-button"
        type="button"
        disabled={!picked}
        onClick={() => {
          onPick(picked);
          setPicked("");
        }}
      >
        + {side}
      </button>
    </>
  );
}
