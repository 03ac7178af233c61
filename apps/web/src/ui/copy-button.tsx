import { useEffect, useState } from "react";

const COPIED_FOR_MS = 2000;

/**
 * Copies `text` to the clipboard; its caption reads "Copied" for 2 s afterwards, or "Copy
 * failed" when the browser refuses (then the text is still on screen to copy by hand).
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), COPIED_FOR_MS);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <button className="sy-button" type="button" aria-label={label} onClick={copy}>
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
    </button>
  );
}
