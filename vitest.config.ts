import { defineConfig } from "vitest/config";

/** One run over every workspace package that has its own vitest config. */
export default defineConfig({
  test: {
    // The kernel's rule tests run twice: on SQLite (packages/core/vitest.config.ts) and on a real
    // PostgreSQL server the core-postgres project starts (issue 17).
    projects: ["packages/*/vitest.config.ts", "packages/core/vitest.postgres.config.ts", "apps/*/vitest.config.ts"],
  },
});
