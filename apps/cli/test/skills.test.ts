import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { tempHome } from "./cli.ts";

const SKILLS = ["kanban-worker", "kanban-orchestrator"] as const;

function readSkill(name: string): { meta: Record<string, unknown>; body: string } {
  const text = readFileSync(fileURLToPath(new URL(`../../../skills/${name}/SKILL.md`, import.meta.url)), "utf8");
  // The frontmatter opens the file, its first key on the next line (what skill loaders expect).
  const m = /^---\n(\S[\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`${name}/SKILL.md has no frontmatter`);
  return { meta: parseYaml(m[1] as string) as Record<string, unknown>, body: m[2] as string };
}

describe("the skills", () => {
  it.each(SKILLS)("%s is in the Agent Skills format: a name matching its folder and a description", (name) => {
    const { meta } = readSkill(name);
    expect(meta.name).toBe(name);
    expect(typeof meta.description).toBe("string");
    expect((meta.description as string).length).toBeGreaterThan(50);
    expect((meta.description as string).length).toBeLessThanOrEqual(1024);
  });

  it.each(SKILLS)("%s states the created_cards contract with a good and a bad example", (name) => {
    const { body } = readSkill(name);
    expect(body).toMatch(/## .*created_cards contract/);
    expect(body).toMatch(/^GOOD/m);
    expect(body).toMatch(/^BAD/m);
    expect(body).toContain("kanban_complete blocked: these created_cards do not exist");
  });

  it("the orchestrator skill explains recovering stuck workers: reclaim, reassign --reclaim, and the profile's model", () => {
    const { body } = readSkill("kanban-orchestrator");
    const section = body.split("## Recovering stuck workers")[1] ?? "";
    expect(section).toContain("switchyard reclaim");
    expect(section).toMatch(/switchyard reassign \S+ \S+ --reclaim/);
    expect(section).toContain("model_hint");
  });

  it("names only switchyard verbs that exist", () => {
    const help = tempHome().ok(["--help"]);
    const verbs = new Set([...help.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]));
    for (const name of SKILLS) {
      const used = [...readSkill(name).body.matchAll(/\bswitchyard ([a-z][a-z-]*)/g)].map((m) => m[1]);
      expect(used.length, name).toBeGreaterThan(3);
      for (const verb of used) expect(verbs, `${name} mentions switchyard ${verb}`).toContain(verb);
    }
  });
});
