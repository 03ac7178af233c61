import { existsSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard</title></head>
<body>
<h1>Switchyard</h1>
<p>The dashboard has not been built yet. Build it with</p>
<pre>pnpm --filter @switchyard/web build</pre>
<p>and reload this page, or start the server with <code>pnpm start</code>, which builds it first.</p>
<p>The API is served at <a href="/api/plugins/kanban/board"><code>/api/plugins/kanban/</code></a>.</p>
</body></html>
`;

/**
 * The built SPA at `/`: its files, and `index.html` for client-side routes (paths without a
 * file extension). Without a build, `/` says how to make one. Hashed assets are cached for
 * good; `index.html` never is, so a rebuild shows at the next load.
 */
export function spa(webRoot: string | null | undefined): MiddlewareHandler {
  let files: MiddlewareHandler | null = null;
  let index: MiddlewareHandler | null = null;
  const none = async () => {};
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    if (!webRoot || !existsSync(join(webRoot, "index.html"))) return c.html(NOT_BUILT, 200);
    files ??= serveStatic({ root: webRoot });
    index ??= serveStatic({ root: webRoot, path: "index.html" });
    c.header("Cache-Control", c.req.path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    const file = await files(c, none);
    if (file) return file;
    if ((c.req.path.split("/").pop() ?? "").includes(".")) return next();
    c.header("Cache-Control", "no-cache");
    return (await index(c, none)) ?? next();
  };
}
