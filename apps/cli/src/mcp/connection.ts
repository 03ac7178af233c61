import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { type Kernel, recordAgentConnection, recordAgentToolCall } from "@switchyard/core";
import type { WorkerScope } from "../tools/scope.ts";

/**
 * Tells the board that a worker's agent reached its tools (SPEC §14): the connection (MCP
 * `initialize`, with the client's name and version) and the first successful call of each tool
 * (a refused call changes nothing on the board), recorded on
 * the worker's run by the kernel (core agents.ts). Only a worker's server records, one with a
 * task and a run in its environment; a failure to record never fails the agent's call.
 */
export interface ConnectionRecorder {
  connected(client: { name?: string; version?: string } | undefined): Promise<void>;
  called(tool: string): Promise<void>;
  /** Resolves once every record started so far is written (before the server exits). */
  settle(): Promise<void>;
}

export function createConnectionRecorder(
  kernel: () => Promise<Kernel>,
  scope: WorkerScope,
  warn: (message: string) => void,
): ConnectionRecorder {
  const task = scope.task;
  const run = scope.runId;
  const seen = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  const track = (work: () => Promise<unknown>): Promise<void> => {
    const done = work()
      .catch((err) => warn(`switchyard mcp: could not record the agent's connection: ${(err as Error).message}`))
      .then(() => undefined);
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return done;
  };
  if (task === null || run === null) {
    return { connected: async () => {}, called: async () => {}, settle: async () => {} };
  }
  return {
    connected: (client) =>
      track(async () =>
        recordAgentConnection(await kernel(), task, run, { name: client?.name, version: client?.version }),
      ),
    called(tool) {
      if (seen.has(tool)) return Promise.resolve();
      seen.add(tool);
      return track(async () => recordAgentToolCall(await kernel(), task, run, tool));
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/**
 * Records the connection when the agent's `initialize` arrives, before the server answers it: by
 * the time the agent is connected, the board knows. Every message waits for that record, so the
 * order of the session is kept. Installed after `server.connect(transport)`, which sets
 * `onmessage`, and before any message can arrive (they come in a later turn of the event loop).
 */
export function recordConnectionOn(transport: Transport, recorder: ConnectionRecorder): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  let gate: Promise<void> = Promise.resolve();
  transport.onmessage = (message, extra) => {
    if (isInitializeRequest(message)) gate = recorder.connected(message.params.clientInfo);
    void gate.then(() => deliver(message, extra));
  };
}
