import { connect } from "node:net";
import { boardPaths, listTasks, openKernel } from "@switchyard/core";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/main.ts";
import { tempHome, until } from "./helpers.ts";

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Sends a request's head and the first chunk of its body over a real socket, then hangs up. */
function abandonUpload(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"tit\r\n`,
        () => setImmediate(() => socket.destroy()),
      );
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

describe("a client that abandons an upload", () => {
  it("is logged as one plain line, not an internal error with a stack, and creates nothing", async () => {
    const home = tempHome();
    const lines: string[] = [];
    const server = await startServer({
      home,
      port: 0,
      dispatch: false,
      webRoot: null,
      token: null,
      log: (line) => lines.push(line),
    });
    servers.push(server);
    await abandonUpload(server.port, "/api/plugins/kanban/tasks");
    await until(() => lines.length > 0, "the server to log the abandoned upload");
    expect(lines).toEqual([
      "POST /api/plugins/kanban/tasks: the client closed the connection before its body arrived; nothing changed",
    ]);
    const k = await openKernel(boardPaths(home, "default"));
    try {
      expect(await listTasks(k)).toEqual([]);
    } finally {
      await k.close();
    }
  });
});
