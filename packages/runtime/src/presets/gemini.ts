import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { MCP_SERVER_NAME } from "./mcp-server.ts";
import { agentPrompt } from "./prompt.ts";
import type { PresetDefinition, PresetFile } from "./types.ts";

/**
 * Gemini CLI (`gemini`, npm `@google/gemini-cli`), headless: `-p` with the prompt. It has no
 * MCP flag: servers come from settings files only (issue 15). The system settings file
 * (`GEMINI_CLI_SYSTEM_SETTINGS_PATH`) is no way in: Gemini skips it unless it and every directory
 * above it are owned by root and writable by nobody else. So each run gets its own Gemini home
 * (`GEMINI_CLI_HOME=<run dir>/gemini`) whose `.gemini/settings.json` is the user's own settings
 * plus:
 *
 * - `mcpServers.switchyard` with `trust: true`, so the board's tools run without a confirmation
 *   nobody could give in headless mode;
 * - `security.auth.selectedType`: Gemini needs an auth type chosen before it runs headless.
 *   `gemini-api-key` when `GEMINI_API_KEY` is set, `vertex-ai` when `GOOGLE_GENAI_USE_VERTEXAI`
 *   is; otherwise the user's own choice stays.
 *
 * The user's Google login (`oauth_creds.json`, `google_accounts.json`) is linked into that home,
 * so a logged-in user needs no key.
 *
 * `--approval-mode auto_edit` lets it edit the workspace; `--skip-trust` (and
 * `GEMINI_CLI_TRUST_WORKSPACE=true`) trusts the workspace for this session: in an untrusted
 * folder Gemini connects no MCP server at all.
 *
 * Flags: `gemini --help` of @google/gemini-cli 0.61.0; settings: docs/reference/configuration.md
 * and docs/tools/mcp-server.md of that package (`GEMINI_CLI_HOME`,
 * `mcpServers.<name>.command|args|env|trust`, `security.auth.selectedType`); the ownership check
 * of system settings files: `isFileAndDirectorySecureSync` in its bundle. A local model endpoint:
 * `GOOGLE_GEMINI_BASE_URL` (with `GEMINI_API_KEY`) in the profile's `env`.
 */

/** Gemini's auth type for the worker's environment, or null to keep the user's. */
export function geminiAuthType(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.GEMINI_API_KEY?.trim()) return "gemini-api-key";
  if (/^(1|true|yes)$/i.test(env.GOOGLE_GENAI_USE_VERTEXAI?.trim() ?? "")) return "vertex-ai";
  return null;
}

/** The user's own `.gemini` directory, as Gemini finds it (`GEMINI_CLI_HOME`, else the home). */
function userGeminiDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.GEMINI_CLI_HOME?.trim() || env.HOME?.trim() || homedir(), ".gemini");
}

function userSettings(dir: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function objectAt(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The user's login files a run's Gemini home links to. */
const LOGIN_FILES = ["oauth_creds.json", "google_accounts.json"];

export const gemini: PresetDefinition = {
  name: "gemini",
  binary: "gemini",
  install: "npm install -g @google/gemini-cli",
  versionArgs: ["--version"],
  helpArgs: [["--help"]],
  documented: {
    source: "gemini --help (@google/gemini-cli 0.61.0); docs/cli/cli-reference.md of that package",
    flags: [
      "-p",
      "--prompt",
      "-m",
      "--model",
      "--approval-mode",
      "--yolo",
      "-y",
      "--skip-trust",
      "--allowed-mcp-server-names",
      "--include-directories",
      "--output-format",
      "-o",
      "--sandbox",
      "--debug",
      "--version",
      "--help",
    ],
  },
  auth: {
    env: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_APPLICATION_CREDENTIALS"],
    files: ["$GEMINI_CLI_HOME/.gemini/oauth_creds.json", "~/.gemini/oauth_creds.json"],
    hint: "set GEMINI_API_KEY in the profile's env, or run `gemini` once and log in with Google",
  },
  connects: true,
  build(ctx) {
    const own = userGeminiDir(ctx.env);
    const base = userSettings(own);
    const settings: Record<string, unknown> = {
      ...base,
      mcpServers: {
        ...objectAt(base.mcpServers),
        [MCP_SERVER_NAME]: { command: ctx.mcp.command, args: ctx.mcp.args, env: ctx.mcp.env, trust: true },
      },
    };
    const auth = geminiAuthType(ctx.env);
    if (auth) {
      const security = objectAt(base.security);
      settings.security = { ...security, auth: { ...objectAt(security.auth), selectedType: auth } };
    }
    const home = join(ctx.runDir, "gemini");
    const dir = join(home, ".gemini");
    const links: PresetFile[] = LOGIN_FILES.filter((name) => existsSync(join(own, name))).map((name) => ({
      path: join(dir, name),
      linkTo: join(own, name),
    }));
    const model = ctx.model ? ["--model", ctx.model] : [];
    return {
      argv: [
        "gemini",
        "-p",
        agentPrompt(ctx.task.id),
        "--skip-trust",
        "--approval-mode",
        "auto_edit",
        ...model,
        ...ctx.extraArgs,
      ],
      env: { GEMINI_CLI_HOME: home, GEMINI_CLI_TRUST_WORKSPACE: "true" },
      files: [{ path: join(dir, "settings.json"), content: `${JSON.stringify(settings, null, 2)}\n` }, ...links],
    };
  },
};
