import type { TaskStatus } from "@switchyard/contract";
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

/**
 * The shape of each status, so a status reads without its colour (Linear's convention): a
 * dashed ring for triage, an empty ring for todo, a ring with a dot for ready, a half-filled
 * ring while running, a ring with a bar for blocked, a filled disc with a tick when done, and
 * a box for archived. Drawn in `currentColor`; the caller colours it.
 */
const STATUS_SHAPES: Readonly<Record<TaskStatus, ReactNode>> = {
  triage: <circle cx="8" cy="8" r="5.5" strokeDasharray="2.2 2" />,
  todo: <circle cx="8" cy="8" r="5.5" />,
  ready: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <circle cx="8" cy="8" r="2" fill="currentColor" stroke="none" />
    </>
  ),
  running: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M8 2.5a5.5 5.5 0 0 1 0 11z" fill="currentColor" stroke="none" />
    </>
  ),
  blocked: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M5 8h6" strokeWidth={2} />
    </>
  ),
  done: (
    <>
      <circle cx="8" cy="8" r="6.2" fill="currentColor" stroke="none" />
      <path d="m5.3 8.2 1.8 1.8 3.6-3.8" style={{ stroke: "var(--sy-surface)" }} strokeWidth={1.8} />
    </>
  ),
  archived: (
    <>
      <path d="M2.5 3.5h11v3h-11zM3.5 6.5v6h9v-6" />
      <path d="M6.5 9h3" />
    </>
  ),
};

/** A status's icon: a shape of its own (see `STATUS_SHAPES`). */
export function StatusIcon({ status, ...props }: IconProps & { status: TaskStatus }) {
  return <Icon {...props}>{STATUS_SHAPES[status]}</Icon>;
}
