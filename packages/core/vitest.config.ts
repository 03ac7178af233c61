import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The PostgreSQL driver's own tests need the server vitest.postgres.config.ts starts.
    exclude: ["test/postgres.test.ts", "test/transfer-postgres.test.ts", "test/postgres-catalog.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
  },
});
