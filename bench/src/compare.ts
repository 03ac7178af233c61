import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "./processes.ts";
import { type Figure, round } from "./report.ts";

/**
 * The benchmarks of two commits side by side in one run (issue 12: every figure within 10 % of
 * the pre-refactor commit, or better). Checks the old commit out in a temporary git worktree,
 * installs it, then runs each group's figures in the old tree and in this one, alternating and
 * swapping the order every round (old, new, new, old, …) so a drift in the machine's load hits
 * both alike. Prints each figure's median over the rounds for both trees and whether the new one
 * holds; the exit code is 1 when a figure does not or a run failed.
 *
 *   node --import tsx bench/src/compare.ts [--ref <commit>] [--rounds N] [--quick] [--keep]
 *                                          [--old-tree <dir>] [group…]
 *
 * Groups are main.ts's (claims, board, dispatch, live, browser, cli); none means all but the
 * browser. `--old-tree` reuses a checkout that is already installed (`--keep` leaves the
 * worktree in place and prints its path, for that).
 */

const DEFAULT_REF = "4a97a38"; // the last commit before the async core (issue 12)
const DEFAULT_GROUPS = ["claims", "board", "dispatch", "live", "cli"];
const TOLERANCE = 0.1;

type Tree = "old" | "new";

interface Run {
  tree: Tree;
  group: string;
  round: number;
  figures: Figure[];
  load: number | null;
  error: string | null;
}

function log(message: string): void {
  process.stderr.write(`[compare] ${message}\n`);
}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ref: { type: "string", default: DEFAULT_REF },
      rounds: { type: "string", default: "2" },
      quick: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      "old-tree": { type: "string" },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, not ${values.rounds}`);
  return {
    ref: values.ref ?? DEFAULT_REF,
    rounds,
    quick: values.quick ?? false,
    keep: values.keep ?? false,
    oldTree: values["old-tree"] ?? null,
    groups: positionals.length > 0 ? positionals : DEFAULT_GROUPS,
  };
}

/** A detached worktree of `ref` in a temp dir, installed from the store (better-sqlite3 builds from source). */
function prepareWorktree(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-compare-"));
  log(`checking out ${ref} in ${dir}`);
  execFileSync("git", ["worktree", "add", "--detach", dir, ref], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  log("pnpm install --frozen-lockfile --prefer-offline (about a minute: better-sqlite3 builds)");
  execFileSync("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CI: "1" },
  });
  return dir;
}

function removeWorktree(dir: string): void {
  log(`removing the worktree ${dir}`);
  try {
    execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: repoRoot, stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    execFileSync("git", ["worktree", "prune"], { cwd: repoRoot, stdio: "ignore" });
  }
}

let running: ChildProcess | null = null;

/** Runs one tree's `bench/src/main.ts` for one group; its figures, or the reason it failed. */
function runBench(tree: Tree, dir: string, group: string, round: number, quick: boolean): Promise<Run> {
  const args = ["--import", "tsx", join("bench", "src", "main.ts"), "--only", group, ...(quick ? ["--quick"] : [])];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  running = child;
  let stdout = "";
  let stderr = "";
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) process.stderr.write(`  ${tree} r${round} | ${line}\n`);
  });
  return new Promise((resolve) => {
    const finish = (code: number | null, failure: string | null) => {
      running = null;
      const figures: Figure[] = [];
      let load: number | null = null;
      for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const parsed = JSON.parse(line) as Partial<Figure> & { machine?: { load_average_1m?: number } };
          if (typeof parsed.figure === "string" && typeof parsed.value === "number") figures.push(parsed as Figure);
          else if (parsed.machine) load = parsed.machine.load_average_1m ?? null;
        } catch {
          // not a figure line
        }
      }
      const error =
        failure ??
        (code === 0 ? null : `exit ${code}: ${stderr.trim().split("\n").slice(-3).join(" / ") || "no output"}`);
      resolve({ tree, group, round, figures, load, error });
    };
    child.on("error", (err) => finish(null, err.message));
    child.on("close", (code) => finish(code, null));
  });
}

/** The middle value, or the mean of the two middle ones (with two rounds, their mean, not the lower). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Throughput (a rate) is better higher; times, sizes and growth factors are better lower. */
function higherIsBetter(unit: string): boolean {
  return unit.endsWith("/s");
}

interface Row {
  figure: string;
  unit: string;
  old: number[];
  new: number[];
  oldRatio: number[];
  newRatio: number[];
}

function collect(runs: Run[]): Row[] {
  const rows = new Map<string, Row>();
  for (const run of runs) {
    for (const f of run.figures) {
      let row = rows.get(f.figure);
      if (!row) {
        row = { figure: f.figure, unit: f.unit, old: [], new: [], oldRatio: [], newRatio: [] };
        rows.set(f.figure, row);
      }
      row[run.tree].push(f.value);
      if (f.ratio !== null) (run.tree === "old" ? row.oldRatio : row.newRatio).push(f.ratio);
    }
  }
  return [...rows.values()];
}

type Verdict = "PASS" | "FAIL" | "info" | "only old" | "only new";

/** Figures of bare SQL alone (`bare_…`) measure the machine, not the code: shown, not judged. */
function judged(row: Row): boolean {
  return !row.figure.startsWith("bare_");
}

function verdict(row: Row): { verdict: Verdict; change: number | null } {
  if (row.new.length === 0) return { verdict: "only old", change: null };
  if (row.old.length === 0) return { verdict: "only new", change: null };
  const o = median(row.old);
  const n = median(row.new);
  const change = o === 0 ? null : n / o;
  if (!judged(row)) return { verdict: "info", change };
  if (change === null) return { verdict: n === 0 ? "PASS" : "FAIL", change };
  const holds = higherIsBetter(row.unit) ? change >= 1 - TOLERANCE : change <= 1 + TOLERANCE;
  return { verdict: holds ? "PASS" : "FAIL", change };
}

function table(rows: Row[]): string[] {
  const header = ["figure", "unit", "old", "new", "new/old", "verdict", "vs bare (old → new)"];
  const body = rows.map((row) => {
    const v = verdict(row);
    const fmt = (list: number[]) => (list.length === 0 ? "—" : String(round(median(list))));
    const ratios =
      row.oldRatio.length > 0 || row.newRatio.length > 0 ? `${fmt(row.oldRatio)} → ${fmt(row.newRatio)}` : "";
    const better = higherIsBetter(row.unit) ? "higher" : "lower";
    return [
      row.figure,
      `${row.unit} (${better} is better)`,
      fmt(row.old),
      fmt(row.new),
      v.change === null ? "—" : v.change.toFixed(2),
      v.verdict,
      ratios,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}

async function main(): Promise<number> {
  const opts = options();
  const created = opts.oldTree === null;
  const oldDir = opts.oldTree ?? prepareWorktree(opts.ref);
  if (!existsSync(join(oldDir, "bench", "src", "main.ts"))) throw new Error(`${oldDir} has no bench/src/main.ts`);
  const stop = () => {
    running?.kill("SIGTERM");
    if (created && !opts.keep) removeWorktree(oldDir);
    process.exit(130);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const group of opts.groups) {
        const order: Tree[] = round % 2 === 1 ? ["old", "new"] : ["new", "old"];
        for (const tree of order) {
          log(`round ${round}/${opts.rounds}: ${group} in the ${tree} tree`);
          const run = await runBench(tree, tree === "old" ? oldDir : repoRoot, group, round, opts.quick);
          if (run.error) log(`${tree} ${group} round ${round} failed: ${run.error}`);
          runs.push(run);
        }
      }
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (created && !opts.keep) removeWorktree(oldDir);
    else if (created) log(`kept the worktree: --old-tree ${oldDir}`);
  }

  const rows = collect(runs);
  const loads = runs.map((r) => r.load).filter((l): l is number => l !== null);
  const out = [
    `old: ${opts.oldTree ?? opts.ref}   new: working tree   rounds: ${opts.rounds}${opts.quick ? " (quick)" : ""}   ` +
      `groups: ${opts.groups.join(", ")}   load average 1m: ${loads.length > 0 ? `${Math.min(...loads)}–${Math.max(...loads)}` : "?"} (now ${loadavg()[0]?.toFixed(2)})`,
    `PASS: the new median is within ${TOLERANCE * 100} % of the old one, or better; info: bare SQL only, not judged.`,
    "",
    ...table(rows),
  ];
  out.push("", "each round (in run order):");
  for (const row of rows)
    out.push(`  ${row.figure}: old ${row.old.join(", ") || "—"}; new ${row.new.join(", ") || "—"}`);
  const failures = runs.filter((r) => r.error !== null);
  if (failures.length > 0) {
    out.push("", "failed runs:");
    for (const f of failures) out.push(`  ${f.tree} ${f.group} round ${f.round}: ${f.error}`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
  const failed = rows.some((row) => {
    const v = verdict(row).verdict;
    return v === "FAIL" || v === "only old";
  });
  return failed || failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
