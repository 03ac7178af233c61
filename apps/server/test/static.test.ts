import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { harness, tempDir } from "./helpers.ts";

function builtSpa(): string {
  const root = tempDir("switchyard-web-");
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><div id=root></div>");
  writeFileSync(join(root, "assets", "app-1234.js"), "console.log('board')");
  return root;
}

describe("the dashboard at /", () => {
  it("serves index.html at / and for client-side routes, never cached", async () => {
    const h = harness({ webRoot: builtSpa() });
    for (const path of ["/", "/boards/ops", "/kanban?task=t_1"]) {
      const res = await h.request("GET", `http://localhost${path}`);
      expect({ path, status: res.status, body: await res.text() }).toEqual({
        path,
        status: 200,
        body: "<!doctype html><div id=root></div>",
      });
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("serves hashed assets for good, and a missing file as a 404", async () => {
    const h = harness({ webRoot: builtSpa() });
    const asset = await h.request("GET", "http://localhost/assets/app-1234.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    const missing = await h.request("GET", "http://localhost/assets/gone-9999.js");
    expect(missing.status).toBe(404);
  });

  it("refuses to serve files outside its root", async () => {
    const h = harness({ webRoot: builtSpa() });
    const res = await h.request("GET", "http://localhost/..%2f..%2fetc%2fpasswd");
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain("root:");
  });

  it("says how to build the dashboard when it has not been built", async () => {
    const h = harness({ webRoot: join(tempDir(), "dist") });
    const res = await h.request("GET", "http://localhost/");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("pnpm --filter @switchyard/web build");
  });
});
