/** What a worker is told to do: the `{prompt}` placeholder and Hermes's `chat -q`. */
export function workerPrompt(taskId: string): string {
  return `work kanban task ${taskId}`;
}

/**
 * The prompt of an agent that reaches the board through `switchyard mcp` (SPEC §14): Hermes's
 * short prompt relies on its kanban-worker skill; other agents are told which tools to use. The
 * MCP server's instructions carry the full worker guidance.
 */
export function agentPrompt(taskId: string): string {
  return (
    `Work kanban task ${taskId} on the Switchyard board, using the switchyard MCP tools: ` +
    `call kanban_show to read the task, do the work in the current directory, call kanban_heartbeat ` +
    `during long work, then call kanban_complete with a summary of what you did, or kanban_block with ` +
    `the reason if you cannot finish. Do not stop before one of those two calls succeeds.`
  );
}
