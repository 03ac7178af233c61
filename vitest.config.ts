import { defineConfig } from "vitest/config";

/** One run over every workspace package that has its own vitest config. */
export default defineConfig({
  test: {
    // The kernel's rule tests run twice: on SQLite (packages/core/vitest.config.ts) and on a real
    // PostgreSQL server (issue 17), which core-postgres, cli-postgres and server-postgres share (one per run).
    projects: [
      "packages/*/vitest.config.ts",
      "packages/core/vitest.postgres.config.ts",
      "apps/*/vitest.config.ts",
      "apps/cli/vitest.postgres.config.ts",
      "apps/server/vitest.postgres.config.ts",
    ],
  },
});
