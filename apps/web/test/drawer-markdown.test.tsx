import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { safeHref } from "../src/lib/safe-href.ts";
import { MarkdownText } from "../src/ui/markdown.tsx";

describe("MarkdownText", () => {
  it("renders GitHub-flavoured markdown: headings, emphasis, lists, tables and strikethrough", () => {
    const { container } = render(
      <MarkdownText text={"# Plan\n\n**bold** and ~~gone~~\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"} />,
    );
    expect(screen.getByRole("heading", { name: "Plan" })).toBeInTheDocument();
    expect(screen.getByText("bold").tagName).toBe("STRONG");
    expect(screen.getByText("gone").tagName).toBe("DEL");
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(container.querySelector("table td")?.textContent).toBe("1");
  });

  it("shows a <script> tag as text and never creates a script element", () => {
    const { container } = render(<MarkdownText text={"before <script>window.__pwned = 1</script> after"} />);
    expect(container.querySelector("script")).toBeNull();
    expect(container.textContent).toContain("<script>window.__pwned = 1</script>");
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("shows an <img onerror> tag as text and creates no element with an event handler", () => {
    const { container } = render(<MarkdownText text={'<img src="x" onerror="window.__pwned = 1">'} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(container.textContent).toContain("onerror");
  });

  it("renders a javascript: link as plain text, not as a link", () => {
    const { container } = render(
      <MarkdownText text={"[click me](javascript:alert(1)) and [x](JaVaScRiPt:alert(2))"} />,
    );
    expect(screen.queryByRole("link")).toBeNull();
    expect(container.querySelector("a")).toBeNull();
    expect(screen.getByText("click me")).toBeInTheDocument();
  });

  it("keeps http(s) and mailto links, opening in a new tab without an opener", () => {
    render(<MarkdownText text={"[docs](https://example.com/a) and [mail](mailto:ops@example.com)"} />);
    const docs = screen.getByRole("link", { name: "docs" });
    expect(docs).toHaveAttribute("href", "https://example.com/a");
    expect(docs).toHaveAttribute("target", "_blank");
    expect(docs).toHaveAttribute("rel", "noopener noreferrer");
    expect(screen.getByRole("link", { name: "mail" })).toHaveAttribute("href", "mailto:ops@example.com");
  });

  it("never loads a markdown image; its alt text stands in", () => {
    const { container } = render(<MarkdownText text={"![diagram](https://tracker.example/pixel.png)"} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("[diagram]");
  });

  it("shows the text as it is in a <pre> when markdown rendering is off", () => {
    const { container } = render(<MarkdownText text={"# not a heading"} plain />);
    expect(screen.queryByRole("heading")).toBeNull();
    expect(container.querySelector("pre")?.textContent).toBe("# not a heading");
  });
});

describe("safeHref", () => {
  it("accepts absolute http, https and mailto URLs", () => {
    expect(safeHref("http://example.com")).toBe("http://example.com/");
    expect(safeHref(" https://example.com/x?y=1 ")).toBe("https://example.com/x?y=1");
    expect(safeHref("mailto:a@example.com")).toBe("mailto:a@example.com");
  });

  it("refuses script, data and relative URLs, however they are spelt", () => {
    for (const url of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "java\tscript:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "/relative/path",
      "#anchor",
      "",
    ]) {
      expect(safeHref(url), url).toBeNull();
    }
  });
});
