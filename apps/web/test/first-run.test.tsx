import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRESETS } from "@switchyard/contract";
import { configPath, loadConfig, spawnableProfiles } from "@switchyard/runtime";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { boardHarness, card } from "./board-harness.tsx";

afterEach(() => window.sessionStorage.clear());

/** The repository's root, where the agent pages the panel names are. */
const REPO = join(import.meta.dirname, "..", "..", "..");

function panel() {
  return screen.queryByRole("region", { name: "Set up a worker" });
}

describe("the first-run panel", () => {
  it("shows a fresh home how to add a profile; the profile it shows is valid, and once added the panel goes", async () => {
    const h = await boardHarness();
    await h.kernel("default");
    h.renderApp();
    const shown = await screen.findByRole("region", { name: "Set up a worker" });
    expect(shown).toHaveTextContent("This home has no profile yet, so nothing on the board starts by itself");
    expect(shown).toHaveTextContent(configPath(h.home));
    const snippet = within(shown).getByRole("figure", { name: "Add to config.yaml" }).querySelector("code");
    expect(snippet?.textContent).toBe("profiles:\n  coder:\n    preset: claude-code\n");
    expect(shown).toHaveTextContent("Needs claude on the server's PATH");
    expect(shown).toHaveTextContent("docs/agents/claude-code.md");

    // What it shows is a config.yaml the server accepts, with a spawnable profile running a real agent.
    writeFileSync(configPath(h.home), snippet?.textContent ?? "");
    const config = loadConfig(h.home);
    expect(spawnableProfiles(h.home, config)).toEqual(["coder"]);
    expect(config.profiles.coder?.preset).toBe("claude-code");

    await act(() => h.queryClient.refetchQueries());
    await waitFor(() => expect(panel()).toBeNull());
  });

  it("offers every preset the contract knows, each with a snippet that is a valid config with a spawnable coder", async () => {
    const h = await boardHarness();
    await h.kernel("default");
    h.renderApp();
    const shown = await screen.findByRole("region", { name: "Set up a worker" });
    const agent = within(shown).getByRole("combobox", { name: "Agent" });
    expect(
      within(agent)
        .getAllByRole("option")
        .map((o) => (o as HTMLOptionElement).value),
    ).toEqual([...PRESETS]);
    const snippets = new Map<string, string>();
    for (const preset of PRESETS) {
      await userEvent.selectOptions(agent, preset);
      const snippet = within(shown).getByRole("figure", { name: "Add to config.yaml" }).querySelector("code");
      expect(snippet?.textContent, preset).toBe(`profiles:\n  coder:\n    preset: ${preset}\n`);
      expect(shown).toHaveTextContent(`docs/agents/${preset}.md`);
      expect(existsSync(join(REPO, "docs", "agents", `${preset}.md`)), preset).toBe(true);
      snippets.set(preset, snippet?.textContent ?? "");
    }
    await userEvent.selectOptions(agent, "codex");
    expect(shown).toHaveTextContent("OPENAI_API_KEY");

    // Each is a config.yaml the server accepts, with a spawnable coder run by that preset.
    for (const [preset, text] of snippets) {
      writeFileSync(configPath(h.home), text);
      const config = loadConfig(h.home);
      expect(spawnableProfiles(h.home, config), preset).toEqual(["coder"]);
      expect(config.profiles.coder?.preset, preset).toBe(preset);
    }
  });

  it("creates a sample task for the suggested profile, whose card says that no such profile exists yet", async () => {
    const h = await boardHarness();
    await h.kernel("default");
    h.renderApp();
    const shown = await screen.findByRole("region", { name: "Set up a worker" });
    await userEvent.click(within(shown).getByRole("button", { name: "Create a sample task" }));
    expect(await within(shown).findByRole("status")).toHaveTextContent(
      /^Created t_\w+, assigned to coder: it starts once the coder profile exists\.$/,
    );
    const sample = await screen.findByRole("article", { name: "Sample: write hello.txt" });
    expect(sample.closest("section")).toHaveAttribute("aria-label", "Ready");
    expect(
      within(card("Sample: write hello.txt")).getByText(
        "No profile named coder: add it to config.yaml, or take the task with switchyard claim",
      ),
    ).toBeInTheDocument();
  });

  it("is not shown when a profile exists, nor on a board that is already in use", async () => {
    const configured = await boardHarness({ config: 'profiles:\n  worker:\n    command: ["true"]\n' });
    await configured.seed("Configured home's task");
    const view = configured.renderApp();
    await screen.findByRole("article", { name: "Configured home's task" });
    expect(panel()).toBeNull();
    view.unmount();

    const busy = await boardHarness();
    for (const title of ["One", "Two", "Three", "Four"]) await busy.seed(title);
    busy.renderApp();
    await screen.findByRole("article", { name: "Four" });
    expect(panel()).toBeNull();
  });

  it("stays hidden for the session once hidden", async () => {
    const h = await boardHarness();
    await h.kernel("default");
    const first = h.renderApp();
    const shown = await screen.findByRole("region", { name: "Set up a worker" });
    await userEvent.click(within(shown).getByRole("button", { name: "Hide" }));
    expect(panel()).toBeNull();
    first.unmount();

    // A reload in the same session.
    await h.seed("After the reload");
    h.renderApp();
    await screen.findByRole("article", { name: "After the reload" });
    expect(panel()).toBeNull();
  });
});
