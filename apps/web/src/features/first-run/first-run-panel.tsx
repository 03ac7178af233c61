import "./first-run.css";
import { PRESETS, type Preset } from "@switchyard/contract";
import { useId, useState } from "react";
import { useBoard, useDashboardConfig } from "../../api/board.ts";
import type { BoardViewFilter } from "../../api/board-cards.ts";
import { useCreateTask } from "../../api/board-mutations.ts";
import { errorMessage } from "../../api/errors.ts";
import { SAMPLE_PROFILE, SAMPLE_TASK, showFirstRun } from "../../lib/first-run.ts";
import { AGENT_INFO, agentDoc, presetSnippet } from "./agents.ts";

/** Where "Hide" is remembered for this browser session (a reload keeps it, a new tab does not). */
const HIDDEN_KEY = "switchyard:first-run-hidden";

function hiddenThisSession(): boolean {
  try {
    return window.sessionStorage.getItem(HIDDEN_KEY) === "1";
  } catch {
    return false;
  }
}

interface FirstRunPanelProps {
  slug: string;
  view: BoardViewFilter;
}

/**
 * The first-run panel: on a home with no spawnable profile, while the board is empty or nearly
 * so, it says that nothing will start by itself, offers the agent presets (the contract's
 * `PRESETS`) and shows the `profiles` section for the chosen one to add to `config.yaml` (the
 * server reads the file again when it changes), and offers a sample task for that profile. It goes once a profile exists, or for this session when hidden.
 */
export function FirstRunPanel({ slug, view }: FirstRunPanelProps) {
  const board = useBoard(slug, view);
  const config = useDashboardConfig();
  const create = useCreateTask(slug);
  const [hidden, setHidden] = useState(hiddenThisSession);
  const [created, setCreated] = useState<string | null>(null);
  const [preset, setPreset] = useState<Preset>(PRESETS[0]);
  const agentId = useId();
  if (hidden || !board.data || !showFirstRun(board.data)) return null;

  function hide() {
    try {
      window.sessionStorage.setItem(HIDDEN_KEY, "1");
    } catch {
      // Storage refused (private mode): hidden until the page reloads.
    }
    setHidden(true);
  }

  const file = config.data?.config_path ?? "<home>/config.yaml";
  return (
    <section className="sy-first-run" aria-labelledby="sy-first-run-title">
      <h2 id="sy-first-run-title">Set up a worker</h2>
      <p>
        This home has no profile yet, so nothing on the board starts by itself: a task assigned to a name with no
        profile waits until someone takes it with <code>switchyard claim</code>. To have the dispatcher start an agent,
        add a profile to <code>{file}</code> (the server picks the change up without a restart). Choose the agent CLI:
        its preset starts it headless with the board's tools (any other command works too, see{" "}
        <code>docs/configuration.md</code>).
      </p>
      <p>
        <label htmlFor={agentId}>Agent </label>
        <select className="sy-input" id={agentId} value={preset} onChange={(e) => setPreset(e.target.value as Preset)}>
          {PRESETS.map((name) => (
            <option key={name} value={name}>
              {AGENT_INFO[name].label} ({name})
            </option>
          ))}
        </select>
      </p>
      <figure className="sy-first-run-figure" aria-labelledby="sy-first-run-caption">
        <figcaption id="sy-first-run-caption">Add to config.yaml</figcaption>
        <pre className="sy-first-run-snippet">
          <code>{presetSnippet(preset)}</code>
        </pre>
      </figure>
      <p>
        {AGENT_INFO[preset].needs} More in <code>{agentDoc(preset)}</code>.
      </p>
      <div className="sy-button-row">
        <button
          type="button"
          className="sy-button sy-button-primary"
          disabled={create.isPending}
          onClick={() => create.mutate(SAMPLE_TASK, { onSuccess: (r) => setCreated(r.task.id) })}
        >
          Create a sample task
        </button>
        <button type="button" className="sy-button" onClick={hide}>
          Hide
        </button>
      </div>
      {created ? (
        <p role="status">
          Created {created}, assigned to {SAMPLE_PROFILE}: it starts once the {SAMPLE_PROFILE} profile exists.
        </p>
      ) : null}
      {create.error ? (
        <p role="alert" className="sy-error">
          {errorMessage(create.error, "creating the sample task")}
        </p>
      ) : null}
    </section>
  );
}
