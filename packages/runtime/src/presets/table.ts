import type { Preset } from "@switchyard/contract";
import { aider } from "./aider.ts";
import { claudeCode } from "./claude-code.ts";
import { codex } from "./codex.ts";
import { gemini } from "./gemini.ts";
import { goose } from "./goose.ts";
import { hermes } from "./hermes.ts";
import { opencode } from "./opencode.ts";
import type { PresetDefinition } from "./types.ts";

/** Every preset by name (SPEC §14): the one table the spawner, `switchyard doctor` and the docs read. */
export const PRESET_TABLE: Readonly<Record<Preset, PresetDefinition>> = {
  "claude-code": claudeCode,
  codex,
  gemini,
  opencode,
  goose,
  hermes,
  aider,
};

export function presetFor(name: Preset): PresetDefinition {
  return PRESET_TABLE[name];
}
