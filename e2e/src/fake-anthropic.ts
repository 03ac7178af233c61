import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scripted stand-in for the Anthropic Messages API, for running a real Claude Code against
 * (`ANTHROPIC_BASE_URL`). It plays one worker's turns, reading the conversation it is sent rather
 * than counting requests (Claude Code may make side requests of its own):
 *
 * 1. no board tool called yet: a `tool_use` of `mcp__switchyard__kanban_show` (first, when the
 *    board's tools are deferred behind Claude Code's `ToolSearch` tool, a `ToolSearch` that loads
 *    them, as a model does);
 * 2. after its result: a `tool_use` of `mcp__switchyard__kanban_complete` with the scripted summary;
 * 3. after that result: a last text turn (`end_turn`).
 *
 * A request that offers no tools (a title or summary side query) gets a short text answer. Other
 * paths get a 404 and are recorded, for the failure message.
 * Both streamed (`"stream": true`, server-sent events) and plain JSON answers are served; the
 * event sequence is the one of https://docs.anthropic.com/en/api/messages-streaming
 * (`message_start`, then per content block `content_block_start`, `content_block_delta`s and
 * `content_block_stop`, then `message_delta` with the stop reason, then `message_stop`).
 * Tool inputs stream as `input_json_delta` partial JSON strings.
 */

export interface FakeAnthropicScript {
  /** The summary `kanban_complete` is called with. */
  summary: string;
  /** The result line `kanban_complete` is called with. */
  result: string;
  /** The last text turn, after the completion. */
  finalText: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** For `POST /v1/messages`: what the fake answered (`tool_search`, `kanban_show`, `kanban_complete`, `final`, `side`). */
  answer?: string;
  /** For `POST /v1/messages`: the names of the tools the request offered. */
  tools?: string[];
}

export interface FakeAnthropic {
  /** `http://127.0.0.1:<port>`, the value of `ANTHROPIC_BASE_URL`. */
  url: string;
  /** Every request so far, in order. */
  requests: RecordedRequest[];
  /** The requests as lines, for a failure message. */
  describe(): string;
  close(): Promise<void>;
}

const SHOW = "mcp__switchyard__kanban_show";
const COMPLETE = "mcp__switchyard__kanban_complete";
const TOOL_SEARCH = "ToolSearch";

type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content?: unknown; is_error?: boolean };

interface MessagesRequest {
  model?: string;
  stream?: boolean;
  tools?: { name?: string }[];
  messages?: { role: string; content: string | Block[] }[];
}

/** The name of every tool the conversation called that has a result in it, in order. */
function answeredTools(request: MessagesRequest): string[] {
  const names = new Map<string, string>();
  const answered: string[] = [];
  for (const message of request.messages ?? []) {
    if (typeof message.content === "string") continue;
    for (const block of message.content) {
      if (block.type === "tool_use") names.set(block.id, block.name);
      if (block.type === "tool_result") {
        const name = names.get(block.tool_use_id);
        if (name) answered.push(name);
      }
    }
  }
  return answered;
}

/** The next turn of the script for this conversation. */
function nextTurn(
  request: MessagesRequest,
  script: FakeAnthropicScript,
  serial: number,
): { answer: string; content: Block[]; stop: "tool_use" | "end_turn" } {
  const offered = (request.tools ?? []).map((t) => t.name);
  if (offered.length === 0) {
    return { answer: "side", content: [{ type: "text", text: "Switchyard task" }], stop: "end_turn" };
  }
  const done = answeredTools(request);
  if (!done.includes(SHOW)) {
    // Claude Code defers MCP tools behind its ToolSearch tool (they are named in the system
    // prompt, without schemas): load the board's two, as a model does, before calling them.
    if (!offered.includes(SHOW) && offered.includes(TOOL_SEARCH) && !done.includes(TOOL_SEARCH)) {
      return {
        answer: "tool_search",
        content: [
          {
            type: "tool_use",
            id: `toolu_search_${serial}`,
            name: TOOL_SEARCH,
            input: { query: `select:${SHOW},${COMPLETE}`, max_results: 5 },
          },
        ],
        stop: "tool_use",
      };
    }
    return {
      answer: "kanban_show",
      content: [
        { type: "text", text: "Let me read my task first." },
        { type: "tool_use", id: `toolu_show_${serial}`, name: SHOW, input: {} },
      ],
      stop: "tool_use",
    };
  }
  if (!done.includes(COMPLETE)) {
    return {
      answer: "kanban_complete",
      content: [
        {
          type: "tool_use",
          id: `toolu_complete_${serial}`,
          name: COMPLETE,
          input: { summary: script.summary, result: script.result },
        },
      ],
      stop: "tool_use",
    };
  }
  return { answer: "final", content: [{ type: "text", text: script.finalText }], stop: "end_turn" };
}

function describeRequest(r: RecordedRequest): string {
  const answer = r.answer ? ` -> ${r.answer}` : "";
  const tools = r.tools ? ` (tools: ${r.tools.join(", ")})` : "";
  return `${r.method} ${r.path}${answer}${tools}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Writes one message as the documented event stream. */
function stream(res: ServerResponse, id: string, model: string, content: Block[], stop: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  });
  content.forEach((block, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else if (block.type === "tool_use") {
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      event("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
      });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 20 } });
  event("message_stop", {});
  res.end();
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeAnthropic(script: FakeAnthropicScript): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  let serial = 0;
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const record: RecordedRequest = { method: req.method ?? "GET", path };
    requests.push(record);
    const raw = await readBody(req).catch(() => "");
    if (req.method === "POST" && path === "/v1/messages/count_tokens") {
      sendJson(res, 200, { input_tokens: 100 });
      return;
    }
    if (req.method === "POST" && path === "/v1/messages") {
      let request: MessagesRequest;
      try {
        request = JSON.parse(raw) as MessagesRequest;
      } catch {
        sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: "body is not JSON" } });
        return;
      }
      serial += 1;
      const turn = nextTurn(request, script, serial);
      record.answer = turn.answer;
      record.tools = (request.tools ?? []).map((t) => t.name ?? "?");
      const id = `msg_fake_${serial}`;
      const model = request.model ?? "claude-fake";
      if (request.stream) {
        stream(res, id, model, turn.content, turn.stop);
      } else {
        sendJson(res, 200, {
          id,
          type: "message",
          role: "assistant",
          model,
          content: turn.content,
          stop_reason: turn.stop,
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 20 },
        });
      }
      return;
    }
    if (req.method === "HEAD" || (req.method === "GET" && path === "/")) {
      res.writeHead(200);
      res.end();
      return;
    }
    sendJson(res, 404, { type: "error", error: { type: "not_found_error", message: `no ${req.method} ${path} here` } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    describe: () => requests.map(describeRequest).join("\n") || "(none)",
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
