// `pnpm pack:release`: the release tarball `switchyard-<version>.tgz`, which installs with
// `npm install -g ./switchyard-<version>.tgz` on a machine without the repository (docs/install.md,
// docs/decisions/016-release-tarball.md).
//
// The package holds the CLI bundled by esbuild (dist/, with the server and the MCP server in it),
// a bin that runs that bundle and never builds, the built dashboard (web/), the skills (skills/)
// and a marker at its root by which the server finds web/. Its only dependency is better-sqlite3,
// at the version the checkout's tests ran against; any other import the bundle leaves to run time
// must be a Node builtin, or the pack fails.
//
// `node scripts/pack.mjs [--out-dir <dir>]` (default `dist/` of the repository) prints the
// tarball's path on stdout; what the builds say goes to stderr.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const cliDir = join(repo, "apps", "cli");
const webDir = join(repo, "apps", "web");

/** Written at the package's root; apps/server/src/main.ts (defaultWebRoot) looks for it to find web/. */
const RELEASE_MARKER = "switchyard-release.json";
/**
 * Imports the bundle may leave unresolved: ws loads these optional native helpers inside a try,
 * and pg loads pg-native only when `pg.native` is asked for (Switchyard never does).
 */
const OPTIONAL_IMPORTS = new Set(["bufferutil", "utf-8-validate", "pg-native"]);

const BIN = `#!/usr/bin/env node
// The \`switchyard\` (and \`sy\`) command of a release package: it runs the prebuilt bundle and never
// builds it (a checkout's bin rebuilds its bundle when stale; docs/decisions/016-release-tarball.md).
import "../dist/switchyard.mjs";
`;

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function fail(message) {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(1);
}

/** Runs a build step with its output on stderr (stdout is the tarball's path); fails the pack if it fails. */
function run(what, command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: ["ignore", process.stderr, process.stderr] });
  if (r.status !== 0) fail(`${what} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
}

/** The version of better-sqlite3 installed in the checkout: the one every test ran against. */
function sqliteVersion() {
  const require = createRequire(join(cliDir, "package.json"));
  return readJson(require.resolve("better-sqlite3/package.json")).version;
}

/** Fails unless every import the bundle leaves to run time is a builtin, a declared dependency or optional. */
function checkExternals(metafile, dependencies) {
  const undeclared = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || isBuiltin(imported.path)) continue;
      const name = imported.path.startsWith("@")
        ? imported.path.split("/").slice(0, 2).join("/")
        : imported.path.split("/")[0];
      if (!(name in dependencies) && !OPTIONAL_IMPORTS.has(name)) undeclared.add(name);
    }
  }
  if (undeclared.size > 0) {
    fail(`the bundle imports ${[...undeclared].join(", ")} at run time, which the package does not declare`);
  }
}

export async function pack(outDir) {
  const cli = readJson(join(cliDir, "package.json"));
  const version = cli.version;
  const dependencies = { "better-sqlite3": sqliteVersion() };
  const stage = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
  try {
    process.stderr.write(`pack: switchyard ${version}: building the dashboard\n`);
    const vite = join(webDir, "node_modules", "vite", "bin", "vite.js");
    run(
      "building the dashboard",
      process.execPath,
      [vite, "build", "--outDir", join(stage, "web"), "--emptyOutDir"],
      webDir,
    );

    process.stderr.write("pack: bundling the CLI\n");
    const { buildRelease } = await import("../apps/cli/scripts/build.mjs");
    checkExternals(await buildRelease(join(stage, "dist")), dependencies);
    mkdirSync(join(stage, "bin"));
    writeFileSync(join(stage, "bin", "switchyard.mjs"), BIN);
    chmodSync(join(stage, "bin", "switchyard.mjs"), 0o755);

    cpSync(join(repo, "skills"), join(stage, "skills"), { recursive: true });
    cpSync(join(repo, "README.md"), join(stage, "README.md"));
    writeFileSync(join(stage, RELEASE_MARKER), `${JSON.stringify({ name: "switchyard", version }, null, 2)}\n`);
    const manifest = {
      name: "switchyard",
      version,
      description: readJson(join(repo, "package.json")).description,
      type: "module",
      engines: { node: ">=20" },
      bin: { switchyard: "bin/switchyard.mjs", sy: "bin/switchyard.mjs" },
      dependencies,
    };
    writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

    mkdirSync(outDir, { recursive: true });
    const packed = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", outDir], {
      cwd: stage,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (packed.status !== 0) fail(`npm pack failed (${packed.error?.message ?? `exit ${packed.status}`})`);
    const [{ filename }] = JSON.parse(packed.stdout);
    return join(outDir, filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  let values;
  try {
    ({ values } = parseArgs({ options: { "out-dir": { type: "string" } } }));
  } catch (err) {
    process.stderr.write(`pack: ${err.message}; usage: node scripts/pack.mjs [--out-dir <dir>]\n`);
    process.exit(2);
  }
  try {
    process.stdout.write(`${await pack(resolve(values["out-dir"] ?? join(repo, "dist")))}\n`);
  } catch (err) {
    fail(err instanceof Error ? err.message.split("\n")[0] : String(err));
  }
}
