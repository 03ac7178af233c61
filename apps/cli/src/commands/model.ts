import { PatchTaskBody } from "@switchyard/contract";
import { setModelOverride } from "@switchyard/core";
import { parseInput } from "../args.ts";
import type { RegisterVerbs } from "../context.ts";
import { taskResponse } from "../shapes.ts";

/**
 * `switchyard model <id> <model|none>` (SPEC §14): the model a task's worker runs with, overriding
 * its profile's `model` (Hermes's `model_override`); `create --model` sets it at creation. It
 * applies from the task's next spawn.
 */

/** Words that clear the override (back to the profile's model). */
const CLEARS = new Set(["none", "default", "-", "null"]);

export const registerModel: RegisterVerbs = (program, cli) => {
  program
    .command("model")
    .description("set the model a task's worker runs with (none: the profile's model)")
    .argument("<id>", "the task")
    .argument("<model>", "a model name as the agent takes it (sonnet, openai/gpt-5, …), or none")
    .option("--json", "print the task as PATCH /tasks/:id returns it")
    .action(async (id: string, model: string, opts: { json?: boolean }) => {
      const raw = model.trim();
      const { model_override } = parseInput(
        PatchTaskBody,
        { model_override: CLEARS.has(raw.toLowerCase()) ? null : raw },
        { model_override: "<model>" },
      );
      const k = await cli.kernel();
      const task = await setModelOverride(k, id, model_override ?? null);
      if (opts.json) return cli.json(await taskResponse(k, task.id));
      cli.out(
        task.model_override === null
          ? `${task.id} runs with its profile's model`
          : `${task.id} runs with model ${task.model_override}`,
      );
    });
};
