import { defineConfig } from "vitest/config";

/** One run over every workspace package that has its own vitest config. */
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
  },
});
