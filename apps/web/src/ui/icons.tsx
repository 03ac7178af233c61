import type { ReactNode } from "react";

interface IconProps {
  /** The icon's accessible name; without one the icon is decoration, hidden from assistive tech. */
  label?: string;
}

/**
 * A 1em line icon drawn in the text's colour. Inline SVG rather than emoji glyphs, which
 * machines without an emoji font draw as empty boxes.
 */
function Icon({ label, children }: IconProps & { children: ReactNode }) {
  return (
    <svg
      className="sy-icon"
      viewBox="0 0 16 16"
      width="1em"
      height="1em"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      focusable="false"
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    >
      {children}
    </svg>
  );
}

/** A speech bubble: comments. */
export function CommentIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M2.5 3h11v7.5H7.5L4.5 13v-2.5h-2z" />
    </Icon>
  );
}

/** A two-way arrow: links to parent and child tasks. */
export function LinkIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M2 8h12M5 5 2 8l3 3M11 5l3 3-3 3" />
    </Icon>
  );
}

/** A warning triangle with an exclamation mark: hallucination warnings. */
export function WarningIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M8 1.8 14.8 13.8H1.2z" />
      <path d="M8 6.3v3.4M8 11.8v.1" />
    </Icon>
  );
}
