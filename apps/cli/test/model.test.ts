import { TaskResponse } from "@switchyard/contract";
import { requireTask } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { tempHome } from "./cli.ts";

/** A task's own model at the CLI (SPEC §14): `create --model` and `switchyard model`. */

describe("a task's model at the CLI", () => {
  it("is set by create --model, changed and cleared by `model`", async () => {
    const h = tempHome();
    const id = h.create("big refactor", "--assignee", "coder", "--model", "opus");
    expect((await requireTask(await h.kernel(), id)).model_override).toBe("opus");
    expect(h.ok(["show", id])).toContain("  model:      opus (this task's own)\n");
    expect(h.ok(["model", id, "openai/gpt-5"])).toBe(`${id} runs with model openai/gpt-5\n`);
    expect(h.json(TaskResponse, ["model", id, "none", "--json"]).task.model_override).toBeNull();
    expect(h.ok(["model", id, "sonnet", "--json"])).toContain('"model_override": "sonnet"');
  });

  it("refuses a model name that is not one word, with one line naming the argument", () => {
    const h = tempHome();
    const id = h.create("t");
    const r = h.run(["model", id, "two words"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("switchyard: <model>: model must be one word (no spaces or control characters)\n");
    const c = h.run(["create", "u", "--model", " "]);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe("switchyard: --model: model must not be blank (use null to clear it)\n");
  });

  it("refuses an unknown task", () => {
    const h = tempHome();
    const r = h.run(["model", "t_deadbeef", "opus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: .*t_deadbeef/);
  });
});
