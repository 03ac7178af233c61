import type { DashboardSettings } from "@switchyard/contract";

/**
 * What the drawer offers for "change this profile's model": the profile's `model_hint` from
 * config.yaml when it has one. Switchyard has no model command of its own (a profile's model
 * is whatever its `command` runs), so otherwise it says where to change it.
 */
export function modelHint(profile: string | null, settings: DashboardSettings | undefined): string {
  const name = profile ?? "<profile>";
  const configured = settings?.profiles?.find((p) => p.name === profile)?.model_hint;
  if (configured) return configured;
  const file = settings?.config_path ?? "<home>/config.yaml";
  return `edit profiles.${name}.command (the model it runs) in ${file}`;
}
