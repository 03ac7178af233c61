import { WORKER_GUIDANCE } from "@switchyard/contract";
import type { RegisterVerbs } from "../context.ts";

/** guidance: the worker guidance of reference §9.3, as the MCP server sends it. */
export const registerGuidance: RegisterVerbs = (program, cli) => {
  program
    .command("guidance")
    .description("print the guidance every worker gets (lifecycle, created_cards contract, heartbeat, block)")
    .action(() => {
      cli.print(WORKER_GUIDANCE);
    });
};
