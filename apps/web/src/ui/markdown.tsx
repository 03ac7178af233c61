import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { safeHref } from "../lib/safe-href.ts";

const REMARK_PLUGINS = [remarkGfm];

/**
 * Links keep only http(s) and mailto targets and open in a new tab without an opener; any
 * other link (javascript:, data:, relative) is shown as plain text. Images never load: a
 * board's text comes from workers, and a remote image is a tracking beacon, so its alt text
 * stands in. Headings sit below the drawer's section headings (h3): `#` is an h4, `##` an h5,
 * deeper ones h6, so the page's outline stays in order.
 */
const COMPONENTS: Components = {
  h1: ({ children }) => <h4>{children}</h4>,
  h2: ({ children }) => <h5>{children}</h5>,
  h3: ({ children }) => <h6>{children}</h6>,
  h4: ({ children }) => <h6>{children}</h6>,
  h5: ({ children }) => <h6>{children}</h6>,
  h6: ({ children }) => <h6>{children}</h6>,
  a({ href, children }) {
    if (!href) return <span className="sy-md-link-inert">{children}</span>;
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ alt }) {
    return alt ? <span className="sy-md-img-alt">[{alt}]</span> : null;
  },
};

function urlTransform(url: string): string {
  return safeHref(url) ?? "";
}

/**
 * Markdown from the board (bodies, results, comments), rendered safely: GitHub-flavoured
 * markdown, raw HTML shown as text and never parsed, links limited by `safeHref`.
 * `plain` (the dashboard's `render_markdown: false`) shows the text as it is.
 */
export function MarkdownText({ text, plain = false }: { text: string; plain?: boolean }) {
  if (plain) return <pre className="sy-md-plain">{text}</pre>;
  return (
    <div className="sy-md">
      <Markdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS} urlTransform={urlTransform} skipHtml={false}>
        {text}
      </Markdown>
    </div>
  );
}
