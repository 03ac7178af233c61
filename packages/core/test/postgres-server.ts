import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway PostgreSQL server for the tests (issue 17): a fresh cluster in a temp directory,
 * listening on loopback only, trust authentication, removed when stopped. Uses the server
 * binaries of the machine's PostgreSQL (Debian's `postgresql` package: `.ci/run` installs it).
 * The server refuses to run as root, so as root its files belong to, and it runs as, the
 * `postgres` user.
 */

export interface TestPostgres {
  url: string;
  stop(): void;
}

/** The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directory. */
function binDir(): string {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(debian, v, "bin");
      if (existsSync(join(dir, "pg_ctl"))) return dir;
    }
  }
  if (onPath) return onPath.replace(/\/pg_ctl$/, "");
  throw new Error("PostgreSQL's server binaries (initdb, pg_ctl) were not found: install the postgresql package");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

function asServerUser(command: string, args: string[]): void {
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  execFileSync(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-"));
  chmodSync(dir, 0o700);
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  asServerUser(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  asServerUser(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "server.log"),
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    "-w",
    "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        asServerUser(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A new, empty database on the test server for one test that needs a whole deployment of its
 * own (its board catalog included); returns its URL. Dropped by the server's removal.
 */
export function createTestDatabase(url: string, prefix = "sy"): string {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const at = new URL(url);
  execFileSync(join(binDir(), "createdb"), ["-h", at.hostname, "-p", at.port, "-U", at.username || "postgres", name], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  at.pathname = `/${name}`;
  return at.toString();
}
