import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitProbe } from "./git-probe.ts";

const temps: string[] = [];
const servers: { server: Server; sockets: Set<Socket> }[] = [];

afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  expect(execFileSync("git", ["--version"], { encoding: "utf8" })).toMatch(/^git version \d/);
});

function temp(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "sy-git-probe-")));
  temps.push(dir);
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

function commitAll(root: string, message: string): string {
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", message);
  return git(root, "rev-parse", "HEAD").trim();
}

/** A repository on `main` with one commit (a.txt, src/b.txt, .gitignore ignoring *.log). */
function makeRepo(): { root: string; first: string } {
  const root = temp();
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", "Probe Test");
  git(root, "config", "user.email", "probe@example.test");
  write(root, "a.txt", "one\n");
  write(root, "src/b.txt", "bee\n");
  write(root, ".gitignore", "*.log\n");
  return { root, first: commitAll(root, "first") };
}

/** A local HTTP server; `hang` accepts connections and never answers. */
async function serve(handler: Parameters<typeof createServer>[1] | "hang"): Promise<string> {
  const server = createServer(handler === "hang" ? () => {} : handler);
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  servers.push({ server, sockets });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("gitRoot", () => {
  it("finds the top of the work tree from a subdirectory", async () => {
    const { root } = makeRepo();
    expect(await gitProbe.gitRoot(join(root, "src"))).toBe(root);
  });

  it("is null outside a repository and for a directory that does not exist", async () => {
    const plain = temp();
    expect(await gitProbe.gitRoot(plain)).toBeNull();
    expect(await gitProbe.gitRoot(join(plain, "missing"))).toBeNull();
  });
});

describe("resolveCommit", () => {
  it("gives the full sha of a branch, HEAD or an abbreviated sha", async () => {
    const { root, first } = makeRepo();
    expect(await gitProbe.resolveCommit(root, "HEAD")).toBe(first);
    expect(await gitProbe.resolveCommit(root, "main")).toBe(first);
    expect(await gitProbe.resolveCommit(root, first.slice(0, 8))).toBe(first);
  });

  it("is null for an unknown revision, a tree, an option-like rev and outside a repository", async () => {
    const { root } = makeRepo();
    const tree = git(root, "rev-parse", "HEAD^{tree}").trim();
    expect(await gitProbe.resolveCommit(root, "no-such-branch")).toBeNull();
    expect(await gitProbe.resolveCommit(root, tree)).toBeNull();
    expect(await gitProbe.resolveCommit(root, "--all")).toBeNull();
    expect(await gitProbe.resolveCommit(temp(), "HEAD")).toBeNull();
  });
});

describe("isAncestor", () => {
  it("follows history one way only, and a commit is its own ancestor", async () => {
    const { root, first } = makeRepo();
    write(root, "a.txt", "two\n");
    const second = commitAll(root, "second");
    expect(await gitProbe.isAncestor(root, first, second)).toBe(true);
    expect(await gitProbe.isAncestor(root, first, first)).toBe(true);
    expect(await gitProbe.isAncestor(root, second, first)).toBe(false);
    expect(await gitProbe.isAncestor(root, "deadbeef", second)).toBe(false);
    expect(await gitProbe.isAncestor(root, "-h", second)).toBe(false);
  });
});

describe("changedFiles", () => {
  it("lists committed, staged, unstaged, deleted, renamed and untracked changes since base, not ignored ones", async () => {
    const { root, first } = makeRepo();
    write(root, "committed.txt", "c\n");
    commitAll(root, "second");
    write(root, "staged.txt", "s\n");
    git(root, "add", "staged.txt");
    write(root, "a.txt", "changed\n");
    git(root, "mv", "src/b.txt", "src/renamed.txt");
    write(root, "new dir/odd\nname ü.txt", "u\n");
    write(root, "debug.log", "ignored\n");
    expect(await gitProbe.changedFiles(join(root, "src"), first)).toEqual([
      "a.txt",
      "committed.txt",
      "new dir/odd\nname ü.txt",
      "src/b.txt",
      "src/renamed.txt",
      "staged.txt",
    ]);
  });

  it("is empty when nothing changed since base and rejects a base that is not a commit", async () => {
    const { root, first } = makeRepo();
    expect(await gitProbe.changedFiles(root, first)).toEqual([]);
    await expect(gitProbe.changedFiles(root, "no-such-rev")).rejects.toThrow(/no-such-rev/);
  });
});

describe("dirtyFiles", () => {
  it("is empty for a clean tree", async () => {
    const { root } = makeRepo();
    expect(await gitProbe.dirtyFiles(root)).toEqual([]);
  });

  it("lists modified, staged, deleted and every untracked file, relative to the root", async () => {
    const { root } = makeRepo();
    write(root, "a.txt", "changed\n");
    write(root, "staged.txt", "s\n");
    git(root, "add", "staged.txt");
    unlinkSync(join(root, "src/b.txt"));
    write(root, "deep/er/new file.txt", "n\n");
    write(root, "trace.log", "ignored\n");
    expect(await gitProbe.dirtyFiles(join(root, "deep"))).toEqual([
      "a.txt",
      "deep/er/new file.txt",
      "src/b.txt",
      "staged.txt",
    ]);
  });

  it("rejects outside a repository", async () => {
    await expect(gitProbe.dirtyFiles(temp())).rejects.toThrow(/not a git repository/);
  });
});

describe("remoteBranch", () => {
  it("gives the sha of a pushed branch and null for one not pushed or only a suffix match", async () => {
    const { root } = makeRepo();
    const remote = join(temp(), "remote.git");
    git(dirname(remote), "init", "-q", "--bare", remote);
    git(root, "remote", "add", "origin", remote);
    git(root, "checkout", "-q", "-b", "feature/x");
    write(root, "f.txt", "f\n");
    const pushed = commitAll(root, "feature");
    git(root, "push", "-q", "origin", "feature/x");
    git(root, "branch", "local-only");

    expect(await gitProbe.remoteBranch(root, "origin", "feature/x", 10_000)).toBe(pushed);
    expect(await gitProbe.remoteBranch(root, remote, "feature/x", 10_000)).toBe(pushed);
    expect(await gitProbe.remoteBranch(root, "origin", "local-only", 10_000)).toBeNull();
    expect(await gitProbe.remoteBranch(root, "origin", "x", 10_000)).toBeNull();
  });

  it("rejects when the remote cannot be reached", async () => {
    const { root } = makeRepo();
    await expect(gitProbe.remoteBranch(root, join(temp(), "nowhere.git"), "main", 10_000)).rejects.toThrow(
      /cannot reach remote .*nowhere\.git/,
    );
    await expect(gitProbe.remoteBranch(root, "no-such-remote", "main", 10_000)).rejects.toThrow(
      /cannot reach remote no-such-remote/,
    );
    await expect(gitProbe.remoteBranch(root, "--upload-pack=touch", "main", 10_000)).rejects.toThrow(
      /not a remote name or URL/,
    );
  });

  it("rejects when the remote does not answer in time", async () => {
    const { root } = makeRepo();
    const url = await serve("hang");
    const started = Date.now();
    await expect(gitProbe.remoteBranch(root, `${url}/repo.git`, "main", 500)).rejects.toThrow(
      /did not answer within 500 ms/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("urlExists", () => {
  it("is true below 400, false from 400, and retries with GET when HEAD is not allowed", async () => {
    const methods: string[] = [];
    const url = await serve((req, res) => {
      methods.push(`${req.method} ${req.url}`);
      if (req.url === "/missing") res.statusCode = 404;
      if (req.url === "/get-only" && req.method === "HEAD") res.statusCode = 405;
      res.end("body");
    });
    expect(await gitProbe.urlExists(`${url}/ok`, 5000)).toBe(true);
    expect(await gitProbe.urlExists(`${url}/missing`, 5000)).toBe(false);
    expect(await gitProbe.urlExists(`${url}/get-only`, 5000)).toBe(true);
    expect(methods).toEqual(["HEAD /ok", "HEAD /missing", "HEAD /get-only", "GET /get-only"]);
  });

  it("is false for other schemes, bad URLs, a closed port and a server that does not answer in time", async () => {
    const hang = await serve("hang");
    const closed = await serve(() => {});
    const { server } = servers[servers.length - 1] as { server: Server };
    await new Promise((r) => server.close(r));
    expect(await gitProbe.urlExists("file:///etc/passwd", 1000)).toBe(false);
    expect(await gitProbe.urlExists("not a url", 1000)).toBe(false);
    expect(await gitProbe.urlExists(closed, 5000)).toBe(false);
    const started = Date.now();
    expect(await gitProbe.urlExists(hang, 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("prepareWorktree", () => {
  it("creates the task's branch from the base under .worktrees, hidden from the main checkout", async () => {
    const { root, first } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    const made = await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    expect(made).toEqual({ path, branch: "sy/t1", base_commit: first, created: true });
    expect(git(path, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("sy/t1");
    expect(readFileSync(join(path, "a.txt"), "utf8")).toBe("one\n");
    expect(git(root, "status", "--porcelain")).toBe("");

    await gitProbe.prepareWorktree({
      repo: root,
      path: join(root, ".worktrees", "t2"),
      branch: "sy/t2",
      baseRef: "HEAD",
    });
    const exclude = readFileSync(join(root, ".git", "info", "exclude"), "utf8");
    expect(exclude.split("\n").filter((l) => l === ".worktrees/")).toHaveLength(1);
  });

  it("reuses the worktree on a retry with the same base commit, though the branch and base moved on", async () => {
    const { root, first } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    write(path, "work.txt", "w\n");
    commitAll(path, "work");
    write(root, "a.txt", "main moved\n");
    commitAll(root, "main moves");

    const again = await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    expect(again).toEqual({ path, branch: "sy/t1", base_commit: first, created: false });
    expect(readFileSync(join(path, "work.txt"), "utf8")).toBe("w\n");
  });

  it("re-adds a worktree whose directory was deleted, on its existing branch", async () => {
    const { root, first } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    write(path, "work.txt", "w\n");
    const work = commitAll(path, "work");
    rmSync(path, { recursive: true, force: true });

    const again = await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    expect(again).toEqual({ path, branch: "sy/t1", base_commit: first, created: true });
    expect(git(path, "rev-parse", "HEAD").trim()).toBe(work);
  });

  it("refuses a repository that is not one, an unknown base and a path held by another branch", async () => {
    const plain = temp();
    await expect(
      gitProbe.prepareWorktree({ repo: plain, path: join(plain, "w"), branch: "sy/t1", baseRef: "HEAD" }),
    ).rejects.toThrow(`${plain} is not a git repository`);

    const { root } = makeRepo();
    await expect(
      gitProbe.prepareWorktree({ repo: root, path: join(root, ".worktrees", "t1"), branch: "sy/t1", baseRef: "nope" }),
    ).rejects.toThrow(/base ref nope/);
    const path = join(root, ".worktrees", "t2");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t2", baseRef: "HEAD" });
    await expect(gitProbe.prepareWorktree({ repo: root, path, branch: "sy/other", baseRef: "HEAD" })).rejects.toThrow(
      /already a worktree .* on refs\/heads\/sy\/t2/,
    );
  });
});

describe("saveWork", () => {
  it("is null when nothing is uncommitted", async () => {
    const { root } = makeRepo();
    expect(await gitProbe.saveWork(root, "refs/switchyard/wip/t1/r1", "wip")).toBeNull();
    expect(git(root, "for-each-ref", "refs/switchyard")).toBe("");
  });

  it("stores the whole working tree as a commit on the ref without touching index, files or branch", async () => {
    const { root, first } = makeRepo();
    write(root, "a.txt", "unstaged edit\n");
    write(root, "staged.txt", "staged\n");
    git(root, "add", "staged.txt");
    write(root, "notes/untracked.txt", "untracked\n");
    unlinkSync(join(root, "src/b.txt"));
    write(root, "skip.log", "ignored\n");
    const status = git(root, "status", "--porcelain=v1", "--untracked-files=all");
    const staged = git(root, "diff", "--cached", "--name-only");

    const saved = await gitProbe.saveWork(root, "refs/switchyard/wip/t1/r1", "switchyard: wip of t1");
    expect(saved).not.toBeNull();
    const { commit, files, ref } = saved as NonNullable<typeof saved>;
    expect(ref).toBe("refs/switchyard/wip/t1/r1");
    expect(files).toEqual(["a.txt", "notes/untracked.txt", "src/b.txt", "staged.txt"]);
    expect(git(root, "rev-parse", ref).trim()).toBe(commit);
    expect(git(root, "rev-parse", `${commit}^`).trim()).toBe(first);
    expect(git(root, "log", "-1", "--format=%s", commit).trim()).toBe("switchyard: wip of t1");
    expect(git(root, "show", `${commit}:notes/untracked.txt`)).toBe("untracked\n");
    expect(git(root, "show", `${commit}:a.txt`)).toBe("unstaged edit\n");
    expect(git(root, "show", `${commit}:staged.txt`)).toBe("staged\n");
    expect(git(root, "ls-tree", "-r", "--name-only", commit).split("\n")).not.toContain("src/b.txt");
    expect(git(root, "ls-tree", "-r", "--name-only", commit).split("\n")).not.toContain("skip.log");

    expect(git(root, "status", "--porcelain=v1", "--untracked-files=all")).toBe(status);
    expect(git(root, "diff", "--cached", "--name-only")).toBe(staged);
    expect(git(root, "stash", "list")).toBe("");
    expect(git(root, "rev-parse", "HEAD").trim()).toBe(first);
    expect(readFileSync(join(root, "a.txt"), "utf8")).toBe("unstaged edit\n");
  });

  it("saves from a task worktree and signs as switchyard when git has no usable identity", async () => {
    const { root } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    git(root, "config", "user.name", "");
    git(root, "config", "user.email", "");
    git(root, "config", "user.useConfigOnly", "true");
    write(path, "wip.txt", "half done\n");

    const saved = await gitProbe.saveWork(path, "refs/switchyard/wip/t1/r2", "wip");
    const commit = (saved as NonNullable<typeof saved>).commit;
    expect(git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>", commit).trim()).toBe(
      "switchyard <switchyard@localhost>|switchyard <switchyard@localhost>",
    );
    expect(git(root, "show", `${commit}:wip.txt`)).toBe("half done\n");
    expect(git(path, "status", "--porcelain")).toBe("?? wip.txt\n");
  });

  it("refuses a ref that is not a full ref name", async () => {
    const { root } = makeRepo();
    write(root, "a.txt", "x\n");
    await expect(gitProbe.saveWork(root, "wip", "m")).rejects.toThrow(/not a full ref name/);
  });
});

describe("diffStat", () => {
  it("counts the branch's committed changes against the base, not uncommitted ones", async () => {
    const { root, first } = makeRepo();
    git(root, "checkout", "-q", "-b", "sy/t1");
    write(root, "a.txt", "one\ntwo\nthree\n");
    write(root, "new.txt", "n\n");
    unlinkSync(join(root, "src/b.txt"));
    const head = commitAll(root, "work");
    write(root, "uncommitted.txt", "u\n");

    expect(await gitProbe.diffStat(root, "sy/t1", first)).toEqual({
      branch: "sy/t1",
      base_commit: first,
      head_commit: head,
      files_changed: 3,
      insertions: 3,
      deletions: 1,
      files: ["a.txt", "new.txt", "src/b.txt"],
    });
  });

  it("has no head and no changes for a branch that does not exist", async () => {
    const { root, first } = makeRepo();
    expect(await gitProbe.diffStat(root, "sy/gone", first)).toEqual({
      branch: "sy/gone",
      base_commit: first,
      head_commit: null,
      files_changed: 0,
      insertions: 0,
      deletions: 0,
      files: [],
    });
  });
});

describe("isMerged", () => {
  it("is false until the branch is merged into the base", async () => {
    const { root } = makeRepo();
    git(root, "checkout", "-q", "-b", "sy/t1");
    write(root, "f.txt", "f\n");
    commitAll(root, "work");
    git(root, "checkout", "-q", "main");
    expect(await gitProbe.isMerged(root, "sy/t1", "main")).toBe(false);
    git(root, "merge", "-q", "--no-ff", "-m", "merge", "sy/t1");
    expect(await gitProbe.isMerged(root, "sy/t1", "main")).toBe(true);
    expect(await gitProbe.isMerged(root, "sy/none", "main")).toBe(false);
  });
});

describe("removeWorktree", () => {
  it("removes a dirty worktree and its branch", async () => {
    const { root } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    write(path, "dirty.txt", "d\n");
    await gitProbe.removeWorktree(root, path, "sy/t1");
    expect(existsSync(path)).toBe(false);
    expect(git(root, "worktree", "list", "--porcelain")).not.toContain(path);
    expect(git(root, "branch", "--list", "sy/t1")).toBe("");
  });

  it("keeps the branch when not asked, and copes with a directory already gone or a branch already deleted", async () => {
    const { root } = makeRepo();
    const path = join(root, ".worktrees", "t1");
    await gitProbe.prepareWorktree({ repo: root, path, branch: "sy/t1", baseRef: "main" });
    rmSync(path, { recursive: true, force: true });
    await gitProbe.removeWorktree(root, path, null);
    expect(git(root, "worktree", "list", "--porcelain")).not.toContain(path);
    expect(git(root, "branch", "--list", "sy/t1").trim()).toBe("sy/t1");

    git(root, "branch", "-D", "sy/t1");
    await expect(gitProbe.removeWorktree(root, path, "sy/t1")).resolves.toBeUndefined();
  });
});
