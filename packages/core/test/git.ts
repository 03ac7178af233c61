import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./fixtures.ts";

/**
 * Real git repositories for the tests of verified completion (SPEC §12): a fixed identity, so
 * commits work on a machine without a git configuration, and no system configuration.
 */

export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

/** Runs git in `cwd`; returns its trimmed stdout (throws on a non-zero exit). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...GIT_IDENTITY, LC_ALL: "C" },
  }).trim();
}

/**
 * A repository with one commit (`README.md`) on `main` and its own git identity, at `dir`
 * (created) or in a new temp directory; with `origin`, also a bare repository it can push to as
 * `origin`.
 */
export function gitRepository(options: { dir?: string; origin?: boolean } = {}): string {
  const dir = options.dir ?? join(tempDir("switchyard-repo-"), "repo");
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  // Workers started by a dispatcher commit here with the dispatcher's environment: the identity
  // is the repository's own.
  git(dir, "config", "user.name", GIT_IDENTITY.GIT_AUTHOR_NAME);
  git(dir, "config", "user.email", GIT_IDENTITY.GIT_AUTHOR_EMAIL);
  writeFileSync(join(dir, "README.md"), "# project\n");
  git(dir, "add", "README.md");
  git(dir, "commit", "-qm", "initial");
  if (options.origin) {
    const origin = `${dir}-origin.git`;
    git(dir, "init", "-q", "--bare", origin);
    git(dir, "remote", "add", "origin", origin);
  }
  return dir;
}
