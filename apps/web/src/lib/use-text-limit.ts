import { type ClipboardEvent, useState } from "react";

/** What a field says when a paste did not fit: the browser keeps only what `maxLength` allows. */
export function cutMessage(what: string, limit: number, pasted: number): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `The pasted ${what} had ${n(pasted)} characters; only the first ${n(limit)} were kept (the limit).`;
}

/**
 * For a field with `maxLength`: the browser cuts a longer paste silently, so this says so. Pass
 * `onPaste` to the field and show `notice` (a status line) while it is set; a later paste that
 * fits clears it.
 */
export function useTextLimit(what: string, limit: number) {
  const [notice, setNotice] = useState<string | null>(null);
  function onPaste(event: ClipboardEvent<HTMLInputElement | HTMLTextAreaElement>) {
    const field = event.currentTarget;
    const pasted = event.clipboardData.getData("text");
    const replaced = (field.selectionEnd ?? field.value.length) - (field.selectionStart ?? field.value.length);
    const length = field.value.length - replaced + pasted.length;
    setNotice(length > limit ? cutMessage(what, limit, pasted.length) : null);
  }
  return { notice, onPaste, clear: () => setNotice(null) };
}
