import { listTasks } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { hostName, isLoopback, TOKEN_COOKIE, tokenMatches } from "../src/security.ts";
import { harness, refused } from "./helpers.ts";

describe("the Host allow-list", () => {
  it("serves loopback names on any port", async () => {
    const h = harness();
    for (const host of ["localhost:8420", "127.0.0.1:8420", "[::1]:8420", "LOCALHOST", "app.localhost:1"]) {
      const res = await h.request("GET", "/stats", { headers: { host } });
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
  });

  it("refuses a foreign Host with 403, on the API and the dashboard alike", async () => {
    const h = harness();
    const body = await refused(
      h.request("GET", "/stats", { headers: { host: "evil.example:8420" } }),
      403,
      "forbidden",
    );
    expect(body.detail).toContain("allowed_hosts");
    await refused(h.request("GET", "http://localhost/", { headers: { host: "evil.example" } }), 403, "forbidden");
    await refused(h.request("POST", "/tasks", { json: { title: "x" }, headers: { host: "rebind.example" } }), 403);
    expect(await listTasks(await h.k)).toEqual([]);
  });

  it("serves a host listed in server.allowed_hosts", async () => {
    const h = harness({ security: { allowedHosts: ["board.internal"] } });
    const res = await h.request("GET", "/stats", { headers: { host: "board.internal:8420" } });
    expect(res.status).toBe(200);
  });
});

describe("same-origin writes", () => {
  it("refuses a cross-origin POST and creates nothing", async () => {
    const h = harness();
    const body = await refused(
      h.request("POST", "/tasks", { json: { title: "x" }, headers: { origin: "http://evil.example" } }),
      403,
      "forbidden",
    );
    expect(body.detail).toMatch(/cross-origin/);
    await refused(h.request("POST", "/tasks", { json: { title: "x" }, headers: { origin: "null" } }), 403);
    await refused(
      h.request("POST", "/tasks", { json: { title: "x" }, headers: { "sec-fetch-site": "cross-site" } }),
      403,
    );
    await refused(
      h.request("POST", "/tasks", { json: { title: "x" }, headers: { "sec-fetch-site": "same-site" } }),
      403,
    );
    expect(await listTasks(await h.k)).toEqual([]);
  });

  it("accepts a same-origin POST, and a client that sends no origin at all", async () => {
    const h = harness();
    const same = await h.request("POST", "/tasks", {
      json: { title: "from the dashboard" },
      headers: { host: "127.0.0.1:8420", origin: "http://127.0.0.1:8420", "sec-fetch-site": "same-origin" },
    });
    expect(same.status).toBe(200);
    const script = await h.request("POST", "/tasks", { json: { title: "from a script" } });
    expect(script.status).toBe(200);
    expect((await listTasks(await h.k)).map((t) => t.title)).toEqual(["from the dashboard", "from a script"]);
  });

  it("lets cross-origin reads through (the browser keeps their answers from the page)", async () => {
    const h = harness();
    const res = await h.request("GET", "/stats", { headers: { origin: "http://evil.example" } });
    expect(res.status).toBe(200);
  });
});

describe("the token", () => {
  const TOKEN = "correct horse battery staple";

  it("is required on every API request when configured", async () => {
    const h = harness({ security: { token: TOKEN } });
    const body = await refused(h.request("GET", "/board"), 401, "unauthorized");
    expect(body.detail).toMatch(/token/);
    await refused(h.request("GET", "/board", { headers: { authorization: "Bearer wrong" } }), 401, "unauthorized");
    await refused(h.request("POST", "/tasks", { json: { title: "x" } }), 401, "unauthorized");
    const res = await h.request("GET", "/board", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await listTasks(await h.k)).toEqual([]);
  });

  it("is set as an HttpOnly SameSite=Strict cookie by opening /?token= once", async () => {
    const h = harness({ security: { token: TOKEN } });
    const login = await h.request("GET", `http://localhost/?token=${encodeURIComponent(TOKEN)}`);
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/");
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`${TOKEN_COOKIE}=`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const pair = cookie.split(";")[0] ?? "";
    const res = await h.request("GET", "/board", { headers: { cookie: pair } });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong token at /?token= and sets no cookie", async () => {
    const h = harness({ security: { token: TOKEN } });
    const res = await h.request("GET", "http://localhost/?token=guess");
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("is not needed for the dashboard's page itself, which holds no data", async () => {
    const h = harness({ security: { token: TOKEN } });
    const res = await h.request("GET", "http://localhost/");
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/pnpm --filter @switchyard\/web build/);
  });

  it("is compared whole: a prefix, a longer string or an empty one never matches", () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, TOKEN.slice(0, -1))).toBe(false);
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokenMatches(TOKEN, "")).toBe(false);
    expect(tokenMatches(TOKEN, null)).toBe(false);
  });
});

describe("loopback names", () => {
  it("are told apart from other hosts", () => {
    expect(["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]:80", "a.localhost"].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["0.0.0.0", "::", "10.0.0.1", "localhost.evil.example", "example.com"].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(hostName("Example.COM.:8420")).toBe("example.com");
  });
});

describe("security headers", () => {
  function expectHardened(res: Response, what: string) {
    const csp = res.headers.get("content-security-policy") ?? "";
    expect({ what, csp }).toEqual({ what, csp: expect.stringContaining("default-src 'self'") });
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  }

  it("are on every response: the dashboard, the API, a refusal and a miss", async () => {
    const h = harness();
    expectHardened(await h.request("GET", "http://localhost/"), "the dashboard");
    expectHardened(await h.request("GET", "/stats"), "an API read");
    expectHardened(await h.request("POST", "/tasks", { json: { title: "x" } }), "an API write");
    expectHardened(
      await h.request("POST", "/tasks", { json: { title: "x" }, headers: { origin: "http://evil.example" } }),
      "a refused write",
    );
    expectHardened(await h.request("GET", "/no-such-route"), "a miss");
    expectHardened(await h.request("GET", "/stats", { headers: { host: "evil.example" } }), "a refused host");
  });
});
