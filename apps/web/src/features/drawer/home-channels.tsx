import type { HomeChannelState } from "@switchyard/contract";

interface HomeChannelsProps {
  channels: readonly HomeChannelState[];
  onToggle(platform: string, subscribe: boolean): void;
  error: string | null;
}

/** One toggle per platform with a home channel ("✓ platform" when on); hidden when there is none. */
export function HomeChannels({ channels, onToggle, error }: HomeChannelsProps) {
  if (channels.length === 0) return null;
  return (
    <section className="sy-drawer-section" aria-label="Notify home channels">
      <h3>Notify home channels</h3>
      <div className="sy-button-row">
        {channels.map((c) => (
          <button
            className={`sy-button${c.subscribed ? " sy-button-on" : ""}`}
            key={c.platform}
            type="button"
            aria-pressed={c.subscribed}
            title={c.name || c.chat_id}
            onClick={() => onToggle(c.platform, !c.subscribed)}
          >
            {c.subscribed ? `✓ ${c.platform}` : c.platform}
          </button>
        ))}
      </div>
      {error ? (
        <p role="alert" className="sy-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
