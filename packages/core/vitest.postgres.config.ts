import { defineProject } from "vitest/config";

/**
 * The kernel's rule tests again, on PostgreSQL (issue 17): every test file whose boards come
 * from `freshBoard`, the invariants property test and the multi-process claim race run here
 * against a real server this project starts (test/postgres-global.ts) and stops, each board in
 * its own schema; and the driver's own tests (test/postgres.test.ts).
 */
export default defineProject({
  test: {
    name: "core-postgres",
    include: [
      "src/**/*.test.ts",
      "test/postgres.test.ts",
      "test/invariants.test.ts",
      "test/claim-race.test.ts",
      "test/transfer-postgres.test.ts",
      "test/postgres-catalog.test.ts",
    ],
    exclude: ["src/boards.test.ts", "src/duration.test.ts", "src/paths.test.ts", "src/storage/**"],
    globalSetup: ["test/postgres-global.ts"],
    pool: "forks",
    testTimeout: 60_000,
  },
});
