import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { type Figure, nowMs, progress } from "./report.ts";
import { removeHomes } from "./seed.ts";

/**
 * `pnpm bench`: prints one JSON line per figure (SPEC §10, issue 9). The first line describes the
 * machine and its load; figures follow in the order of the issue. `--only claims,board` runs
 * some groups; `--quick` shrinks every size (a smoke run, not for the record). A group's module
 * is loaded only when it runs (the core-only groups do not load the server).
 */

interface Group {
  name: string;
  run(quick: boolean): Promise<Figure[]>;
}

const GROUPS: Group[] = [
  { name: "claims", run: async (quick) => (await import("./figures/claims.ts")).claimFigures(quick ? 1_000 : 10_000) },
  { name: "board", run: async (quick) => (await import("./figures/board.ts")).boardFigures(quick) },
  { name: "dispatch", run: async (quick) => (await import("./figures/dispatch.ts")).dispatchFigures(quick) },
  { name: "live", run: async (quick) => (await import("./figures/live.ts")).liveFigures(quick) },
  { name: "browser", run: async (quick) => (await import("./figures/browser.ts")).browserFigures(quick) },
  { name: "cli", run: async (quick) => (await import("./figures/cli.ts")).cliFigures(quick) },
  { name: "postgres", run: async (quick) => (await import("./figures/postgres.ts")).postgresFigures(quick) },
  { name: "fleet", run: async (quick) => (await import("./figures/fleet.ts")).fleetFigures(quick) },
  { name: "memory", run: async (quick) => (await import("./figures/memory.ts")).memoryFigures(quick) },
];

function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    machine: {
      cpus: cpu.length,
      cpu_model: cpu[0]?.model ?? "unknown",
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      load_average_1m: Number(loadavg()[0]?.toFixed(2)),
      started_at: new Date().toISOString(),
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, quick: { type: "boolean", default: false } },
  });
  const only = values.only ? new Set(values.only.split(",").map((s) => s.trim())) : null;
  const unknown = [...(only ?? [])].filter((name) => !GROUPS.some((g) => g.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown group(s) ${unknown.join(", ")}; choose from ${GROUPS.map((g) => g.name).join(", ")}\n`,
    );
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${JSON.stringify(machine())}\n`);
  const started = nowMs();
  try {
    for (const group of GROUPS) {
      if (only && !only.has(group.name)) continue;
      const t = nowMs();
      for (const f of await group.run(values.quick ?? false)) process.stdout.write(`${JSON.stringify(f)}\n`);
      progress(`${group.name}: ${((nowMs() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    removeHomes();
  }
  progress(`total: ${((nowMs() - started) / 1000).toFixed(1)} s, load average now ${loadavg()[0]?.toFixed(2)}`);
}

await main();
