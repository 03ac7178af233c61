import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openDashboard } from "../src/board.ts";
import { expect, test } from "../src/fixtures.ts";

/** A page on another origin (another port of 127.0.0.1) that puts the dashboard in a frame. */
async function framingPage(dashboard: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(
      `<!doctype html><title>Elsewhere</title><h1>Win a prize</h1><iframe src="${dashboard}" width="900" height="600"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test("a page on another origin that frames the dashboard gets nothing rendered", async ({ page, switchyard }) => {
  const sy = await switchyard.start({});
  sy.cliJson("create", "A task nobody else should click");
  const elsewhere = await framingPage(sy.url);
  try {
    // The dashboard answers the frame's request, and the browser refuses to show the answer:
    // the frame ends on Chromium's error page instead of the dashboard.
    const answered = page.waitForResponse((res) => res.url() === `${sy.url}/` || res.url() === sy.url);
    await page.goto(elsewhere.url);
    await expect(page.getByRole("heading", { name: "Win a prize" })).toBeVisible();
    expect((await answered).status()).toBe(200);
    const framed = () => page.frames().find((f) => f !== page.mainFrame());
    await expect.poll(() => framed()?.url()).toBe("chrome-error://chromewebdata/");
    const inside = page.frameLocator("iframe");
    await expect(inside.getByRole("article", { name: "A task nobody else should click" })).toHaveCount(0);
    await expect(inside.getByRole("heading", { name: "Switchyard" })).toHaveCount(0);

    // The same dashboard opened on its own renders as usual.
    await openDashboard(page, sy.url);
    await expect(page.getByRole("article", { name: "A task nobody else should click" })).toBeVisible();
  } finally {
    await new Promise((resolve) => elsewhere.server.close(resolve));
  }
});
