import { useRef } from "react";
import type { LiveState, LiveStatus } from "../../api/live.ts";
import { useCommand } from "../../lib/commands.tsx";
import type { Density, ThemeChoice } from "../../lib/theme.ts";

export interface ToolbarState {
  search: string;
  tenant: string;
  assignee: string;
  includeArchived: boolean;
  lanes: boolean;
}

interface ToolbarProps {
  state: ToolbarState;
  onChange(patch: Partial<ToolbarState>): void;
  tenants: readonly string[];
  assignees: readonly string[];
  live: LiveStatus;
  theme: ThemeChoice;
  onToggleTheme(): void;
  density: Density;
  onToggleDensity(): void;
  onNudge(): void;
  nudging: boolean;
  onRefresh(): void;
  /** Whether the activity feed is open, and opening or closing it. */
  activityOpen: boolean;
  onToggleActivity(): void;
}

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  "auth-failed": "Offline",
};

/** Search, tenant, assignee, archived, lanes, nudge, refresh (reference §12). `/` focuses the search. */
export function Toolbar(props: ToolbarProps) {
  const { state, onChange } = props;
  const search = useRef<HTMLInputElement>(null);
  useCommand("focus-search", () => {
    search.current?.focus();
    search.current?.select();
  });

  return (
    <section className="sy-toolbar" aria-label="Board toolbar">
      <input
        ref={search}
        type="search"
        className="sy-input sy-search"
        aria-label="Search tasks"
        placeholder="Search tasks  ( / )"
        value={state.search}
        onChange={(e) => onChange({ search: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            if (state.search) onChange({ search: "" });
            else e.currentTarget.blur();
          }
        }}
      />
      <select
        className="sy-input"
        aria-label="Tenant"
        value={state.tenant}
        onChange={(e) => onChange({ tenant: e.target.value })}
      >
        <option value="">All tenants</option>
        {props.tenants.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <select
        className="sy-input"
        aria-label="Assignee"
        value={state.assignee}
        onChange={(e) => onChange({ assignee: e.target.value })}
      >
        <option value="">All assignees</option>
        {props.assignees.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
      <label className="sy-check">
        <input
          type="checkbox"
          checked={state.includeArchived}
          onChange={(e) => onChange({ includeArchived: e.target.checked })}
        />
        Show archived
      </label>
      <label className="sy-check">
        <input type="checkbox" checked={state.lanes} onChange={(e) => onChange({ lanes: e.target.checked })} />
        Lanes by profile
      </label>
      <span className="sy-toolbar-spacer" />
      <span
        className={`sy-live sy-live-${props.live.state}`}
        role="status"
        aria-label={`Live updates: ${LIVE_TEXT[props.live.state]}`}
      >
        {LIVE_TEXT[props.live.state]}
      </span>
      <button
        type="button"
        className={`sy-button sy-button-quiet${props.activityOpen ? " sy-button-on" : ""}`}
        aria-pressed={props.activityOpen}
        title="Who did what on this board, newest first"
        onClick={props.onToggleActivity}
      >
        Activity
      </button>
      <button type="button" className="sy-button" onClick={props.onNudge} disabled={props.nudging}>
        Nudge dispatcher
      </button>
      <button type="button" className="sy-button" onClick={props.onRefresh}>
        Refresh
      </button>
      <button
        type="button"
        className={`sy-button sy-button-quiet${props.density === "compact" ? " sy-button-on" : ""}`}
        aria-pressed={props.density === "compact"}
        title="Compact cards: more of them in view"
        onClick={props.onToggleDensity}
      >
        Compact
      </button>
      <button
        type="button"
        className="sy-button sy-button-quiet"
        aria-label={`Theme: ${props.theme} (switch)`}
        onClick={props.onToggleTheme}
      >
        {props.theme === "dark" ? "☾" : props.theme === "light" ? "☀" : "◐"}
      </button>
    </section>
  );
}
