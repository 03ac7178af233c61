// The baseline of the MCP benchmark: a bare MCP server over stdio built with the same SDK as
// `switchyard mcp` (its low-level `Server`, no zod schemas of ours, no kernel), offering one tool,
// `kanban_show`, that reads what the real tool reads with bare better-sqlite3: the task, its
// parents and children, comments, its last 50 events and its runs.
//   bare-mcp.mjs <db>
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import BetterSqlite3 from "better-sqlite3";

// The SDK is a dependency of the CLI, not of the bench: resolve it from there.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const fromCli = createRequire(join(repoRoot, "apps", "cli", "package.json"));
const sdk = (path) => import(pathToFileURL(fromCli.resolve(`@modelcontextprotocol/sdk/${path}`)).href);
const [{ Server }, { StdioServerTransport }, { CallToolRequestSchema, ListToolsRequestSchema }] = await Promise.all([
  sdk("server/index.js"),
  sdk("server/stdio.js"),
  sdk("types.js"),
]);

const db = new BetterSqlite3(process.argv[2], { timeout: 30_000 });
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
const task = db.prepare("SELECT * FROM tasks WHERE id = ?");
const parents = db.prepare("SELECT parent_id FROM task_links WHERE child_id = ? ORDER BY parent_id").pluck();
const children = db.prepare("SELECT child_id FROM task_links WHERE parent_id = ? ORDER BY child_id").pluck();
const comments = db.prepare("SELECT author, body, created_at FROM task_comments WHERE task_id = ? ORDER BY id");
const events = db.prepare(
  "SELECT kind, payload, created_at FROM task_events WHERE task_id = ? ORDER BY id DESC LIMIT 50",
);
const runs = db.prepare("SELECT * FROM task_runs WHERE task_id = ? ORDER BY id");

const server = new Server({ name: "bare", version: "0.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "kanban_show",
      description: "show a task",
      inputSchema: { type: "object", properties: { task_id: { type: "string" } } },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const id = request.params.arguments?.task_id;
  const row = task.get(id);
  if (!row) return { content: [{ type: "text", text: JSON.stringify({ error: `no task ${id}` }) }], isError: true };
  const result = {
    task: row,
    parents: parents.all(id),
    children: children.all(id),
    comments: comments.all(id),
    events: events.all(id).reverse(),
    runs: runs.all(id),
  };
  return { content: [{ type: "text", text: JSON.stringify(result) }] };
});
const transport = new StdioServerTransport();
process.stdin.once("end", () => process.exit(0));
await server.connect(transport);
