import type { Preset } from "@switchyard/contract";
import { SAMPLE_PROFILE } from "../../lib/first-run.ts";

/** What the first-run panel says about an agent CLI: its name, and what the server's machine needs for it. */
export interface AgentInfo {
  label: string;
  /** One line: the binary on the server's PATH and the credentials it reads (from docs/agents/<preset>.md). */
  needs: string;
}

/**
 * The agents the first-run panel offers, one per preset the contract knows (`PRESETS`); keyed by `Preset`, so a preset added to the contract without a line here fails to compile.
 */
export const AGENT_INFO: Record<Preset, AgentInfo> = {
  "claude-code": {
    label: "Claude Code",
    needs:
      "Needs claude on the server's PATH (npm install -g @anthropic-ai/claude-code) and ANTHROPIC_API_KEY, or a claude login.",
  },
  codex: {
    label: "OpenAI Codex",
    needs: "Needs codex on the server's PATH (npm install -g @openai/codex) and OPENAI_API_KEY, or codex login.",
  },
  gemini: {
    label: "Gemini CLI",
    needs:
      "Needs gemini on the server's PATH (npm install -g @google/gemini-cli) and GEMINI_API_KEY, or a Google login.",
  },
  opencode: {
    label: "OpenCode",
    needs:
      "Needs opencode on the server's PATH (npm install -g opencode-ai) and a provider's key (e.g. ANTHROPIC_API_KEY), or opencode auth login.",
  },
  goose: {
    label: "Goose",
    needs: "Needs goose on the server's PATH (a release binary) with a provider chosen by goose configure.",
  },
  hermes: {
    label: "Hermes Agent",
    needs:
      "Needs hermes on the server's PATH (NousResearch/hermes-agent's install script) with a provider chosen by hermes setup.",
  },
  aider: {
    label: "Aider",
    needs:
      "Needs aider on the server's PATH (pip install aider-install, then aider-install) and the model provider's key (e.g. OPENAI_API_KEY).",
  },
};

/** The `profiles` section for `config.yaml` that runs `preset` as the suggested profile. */
export function presetSnippet(preset: Preset): string {
  return `profiles:\n  ${SAMPLE_PROFILE}:\n    preset: ${preset}\n`;
}

/** Where the agent's page is in the repository (the dashboard cannot link to repo files). */
export function agentDoc(preset: Preset): string {
  return `docs/agents/${preset}.md`;
}
