import { defineProject } from "vitest/config";

/**
 * The CLI against boards in PostgreSQL (SPEC §13): the real binary with SWITCHYARD_DATABASE_URL
 * (or storage.url) on the test server that core's global setup starts; one server serves this
 * project and `core-postgres` alike.
 */
export default defineProject({
  test: {
    name: "cli-postgres",
    include: ["test/postgres.test.ts", "test/transfer-postgres.test.ts", "test/multi-host.test.ts"],
    // Builds the bundle once (only if stale), and starts (or shares) the test PostgreSQL server.
    globalSetup: ["test/global-setup.ts", "../../packages/core/test/postgres-global.ts"],
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
