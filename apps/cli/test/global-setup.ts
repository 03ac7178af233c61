import { spawnSync } from "node:child_process";
import { BIN } from "./cli.ts";

/** Runs the real entry point once: it builds the bundle if it is missing or stale. */
export default function setup(): void {
  const r = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(`building the CLI failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
  }
}
