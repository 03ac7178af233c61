import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "server",
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Needs the PostgreSQL server: vitest.postgres.config.ts.
    exclude: ["test/two-servers.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
