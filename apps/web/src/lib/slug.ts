/** What the new-board dialog does to typed slugs: lowercase, and illegal characters become "-". */
export function toSlugInput(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9\-_]/g, "-")
    .slice(0, 64);
}

/** "my-new_board" → "My New Board": the default display name for a slug. */
export function titleCaseSlug(slug: string): string {
  return slug
    .split(/[-_]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join(" ");
}

/** Splits "a, b ,,c" into ["a", "b", "c"]. */
export function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
