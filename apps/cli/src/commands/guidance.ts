import { type CliGuidance, WORKER_GUIDANCE } from "@switchyard/contract";
import type { RegisterVerbs } from "../context.ts";

/** guidance: the worker guidance of reference §9.3, as the MCP server sends it. */
export const registerGuidance: RegisterVerbs = (program, cli) => {
  program
    .command("guidance")
    .description("print the guidance every worker gets (lifecycle, created_cards contract, heartbeat, block)")
    .option("--json", "print {guidance}")
    .action((opts: { json?: boolean }) => {
      if (opts.json) return cli.json({ guidance: WORKER_GUIDANCE } satisfies CliGuidance);
      cli.print(WORKER_GUIDANCE);
    });
};
