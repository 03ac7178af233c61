/** "42s", "5m", "3h", "2d": a compact age for cards. Negative spans (clock skew) read as 0s. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** "in 5m" or "expired 2m ago", for the time left on a claim. */
export function formatTimeLeft(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  return left >= 0 ? `${formatAge(left)} left` : `expired ${formatAge(-left)} ago`;
}

/**
 * The server's "now" in Unix seconds, advanced by the time elapsed on this machine since the
 * board was fetched, so ages tick without refetching and stay on the server's clock.
 */
export function serverNow(boardNow: number, fetchedAtMs: number, clientNowMs: number): number {
  return boardNow + Math.max(0, Math.floor((clientNowMs - fetchedAtMs) / 1000));
}

/** "45s", "1m 40s", "2h 5m", "3d 4h": a span to two units, for run and cycle times. Null reads as "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const units: Array<[number, string]> = [
    [86_400, "d"],
    [3600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  const first = units.findIndex(([size]) => s >= size);
  const [big, bigName] = units[first] as [number, string];
  const [small, smallName] = units[first + 1] as [number, string];
  const rest = Math.floor((s % big) / small);
  return rest > 0 ? `${Math.floor(s / big)}${bigName} ${rest}${smallName}` : `${Math.floor(s / big)}${bigName}`;
}
