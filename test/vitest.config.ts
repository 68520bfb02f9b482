import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The repository: this file lives in test/ so that the top level holds only what the brief lists. */
const root = fileURLToPath(new URL("..", import.meta.url));
/** Screenshots and reports; gitignored. Tests find it as process.env.FTPI_TEST_ARTIFACTS. */
const artifacts = fileURLToPath(new URL("../test-artifacts", import.meta.url));

export default defineConfig({
  root,
  test: {
    include: ["test/**/*.test.ts"],
    env: { FTPI_TEST_ARTIFACTS: artifacts },
    // e2e tests start servers, real clients and a browser; unit tests finish far below this.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    // Separate processes: e2e tests spawn daemons and bind ports, and a crash stays contained.
    pool: "forks",
    // Sized for a 2-core machine: two test files at a time.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
