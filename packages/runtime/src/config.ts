import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { Config, type ProfileConfig, StorageConfig } from "@switchyard/contract";
import { CoreError, databaseUrlOf, type FleetConfig, type Home } from "@switchyard/core";
import { parse as parseYaml } from "yaml";
import type * as z from "zod";

/**
 * True when a home is laid out as Hermes's: it has `profiles/`, a Hermes persona (`SOUL.md`),
 * or it is a directory named `.hermes` (decision 012). Its root is then Hermes's `default` profile.
 */
export function isHermesHome(root: string): boolean {
  return existsSync(join(root, "profiles")) || existsSync(join(root, "SOUL.md")) || basename(root) === ".hermes";
}

/**
 * Hermes profiles on disk (the `hermes` preset, reference §5.7 `list_profiles_on_disk`): under
 * a Hermes home, `default` (the home itself, always there) and every `profiles/<name>/` holding
 * a config.yaml.
 */
export function hermesProfilesOnDisk(root: string): string[] {
  if (!isHermesHome(root)) return [];
  const dir = join(root, "profiles");
  const named = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "config.yaml")))
        .map((d) => d.name.toLowerCase())
    : [];
  return [...new Set(["default", ...named])].sort();
}

export function configPath(home: Home): string {
  return join(home.root, "config.yaml");
}

/** config.yaml parsed as YAML (null when it is empty); YAML that does not parse is refused. */
function readYaml(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CoreError("config_invalid", `${path}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** A schema's refusal of the file, naming the key (`prefix` is where the part checked sits). */
function invalid(path: string, error: z.ZodError, prefix: string[] = []): CoreError {
  const issue = error.issues[0];
  const keys = issue && "keys" in issue && Array.isArray(issue.keys) ? issue.keys.map(String) : [];
  const at = [...prefix, ...(issue?.path ?? []).map(String), ...keys.slice(0, 1)].join(".") || "(top level)";
  return new CoreError("config_invalid", `${path}: ${at}: ${issue?.message ?? "invalid"}`);
}

/**
 * Reads and validates `<home>/config.yaml` (SPEC §4). A missing file means the defaults; a bad
 * one is refused with a message naming the key.
 */
export function loadConfig(home: Home): Config {
  const path = configPath(home);
  if (!existsSync(path)) return Config.parse({});
  const raw = readYaml(path);
  const result = Config.safeParse(raw ?? {});
  if (!result.success) throw invalid(path, result.error);
  // Assignees are stored lowercase, so a profile named otherwise would never be spawned.
  for (const name of Object.keys(result.data.profiles)) {
    const normal = name.trim().toLowerCase();
    if (name !== normal) {
      throw new CoreError(
        "config_invalid",
        `${path}: profiles.${name}: profile names are lowercase (assignees always are); rename it to '${normal}'`,
      );
    }
  }
  return result.data;
}

/**
 * The home as the product uses it (SPEC §13): with its database URL from
 * `SWITCHYARD_DATABASE_URL`, else from `storage.url` in config.yaml, else none (SQLite files).
 * Reads only the `storage` section: the rest of a bad config is refused where the whole config
 * is loaded, as before; YAML that does not parse is refused here too, since where the boards are
 * cannot be known from it.
 */
export function storageHome(home: Home): Home {
  if (home.databaseUrl) return home;
  const path = configPath(home);
  if (!existsSync(path)) return home;
  const raw = readYaml(path);
  const section =
    raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>).storage : null;
  if (section === undefined || section === null) return home;
  const result = StorageConfig.safeParse(section);
  if (!result.success) throw invalid(path, result.error, ["storage"]);
  const url = databaseUrlOf(result.data.url, `${path}: storage.url`);
  return url ? { ...home, databaseUrl: url } : home;
}

/** A profile the dispatcher can start: configured, or a Hermes profile on disk (the `hermes` preset). */
export function resolveProfile(home: Home, config: Config, name: string): ProfileConfig | null {
  const configured = config.profiles[name];
  if (configured) return configured;
  if (hermesProfilesOnDisk(home.root).includes(name)) return { preset: "hermes", env: {} };
  return null;
}

/** Names of every spawnable profile, sorted. */
export function spawnableProfiles(home: Home, config: Config): string[] {
  return [...new Set([...Object.keys(config.profiles), ...hermesProfilesOnDisk(home.root)])].sort();
}

/**
 * What the fleet figures take from the config (`withFleetConfig`): the spawnable profiles, their
 * caps and the global cap. `running` is what the caps count (every board's running workers).
 */
export function fleetConfig(home: Home, config: Config, running?: FleetConfig["running"]): FleetConfig {
  return {
    spawnable: spawnableProfiles(home, config),
    profileCap: (name) => resolveProfile(home, config, name)?.max_in_progress,
    maxInProgress: config.dispatch.max_in_progress,
    ...(running ? { running } : {}),
  };
}

/**
 * The command the dashboard offers for "change this profile's model": the profile's
 * `model_hint`, else Hermes's own model picker for a `hermes` preset profile, else null.
 */
export function modelHint(profile: ProfileConfig | null, name: string): string | null {
  if (profile?.model_hint) return profile.model_hint;
  if (profile?.preset === "hermes") return `hermes -p ${name} model`;
  return null;
}

/** The config of a long-running process, re-read when config.yaml changes. */
export interface ConfigSource {
  /** The current config: re-read when the file changed; the last good one while an edit is invalid. */
  current(): Config;
}

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return "missing";
  }
}

/**
 * Loads config.yaml now (a bad file is refused, as at any start) and again whenever the file
 * changes. An edit that does not validate is reported through `log` once, and the last good
 * config stays in force until the file is fixed.
 */
export function createConfigSource(home: Home, log: (message: string) => void = () => {}): ConfigSource {
  const path = configPath(home);
  let stamp = fileStamp(path);
  let config = loadConfig(home);
  return {
    current() {
      const now = fileStamp(path);
      if (now === stamp) return config;
      stamp = now;
      try {
        config = loadConfig(home);
        log(`config reloaded from ${path}`);
      } catch (err) {
        log(`config.yaml changed but is invalid, keeping the previous settings: ${(err as Error).message}`);
      }
      return config;
    },
  };
}
