const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/**
 * The URL itself when it is an absolute http(s) or mailto URL, otherwise null. Relative URLs
 * are refused too: markdown on the board is written by workers, and the dashboard has no page
 * a relative link could usefully point at.
 */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
}
