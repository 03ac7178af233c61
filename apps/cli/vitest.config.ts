import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Boards in PostgreSQL need the server vitest.postgres.config.ts starts.
    exclude: ["test/postgres.test.ts", "test/transfer-postgres.test.ts", "test/multi-host.test.ts"],
    // Builds the bundle once (only if stale) before any test runs the real binary.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
