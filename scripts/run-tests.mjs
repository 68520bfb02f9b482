#!/usr/bin/env node
// Runs vitest with its usual terminal output plus a JSON report, then prints one last line
// that CI reads, exactly "N passed, N failed" (skipped tests, if any, are counted on the line
// before it). Extra arguments go to
// vitest (e.g. `node scripts/run-tests.mjs test/list`). Exits non-zero when a test failed or
// vitest itself did. Failed counts test cases, plus one per test file that failed outside its
// tests, plus one when vitest failed with nothing else failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const report = join(root, "test-artifacts", "vitest-report.json");
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true }); // never count a previous run's results

const vitest = spawnSync(
  join(root, "node_modules", ".bin", "vitest"),
  ["run", "--config", join(root, "test", "vitest.config.ts"), "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
);
if (vitest.error) console.error(`run-tests: could not start vitest: ${vitest.error.message}`);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const { testResults = [] } = JSON.parse(readFileSync(report, "utf8"));
  for (const file of testResults) {
    const cases = file.assertionResults ?? [];
    for (const c of cases) {
      if (c.status === "passed") passed++;
      else if (c.status === "failed") failed++;
      else skipped++; // skipped, pending, todo
    }
    // A file that failed outside any test (import error, failing beforeAll) counts once.
    if (file.status === "failed" && !cases.some((c) => c.status === "failed")) failed++;
  }
} else {
  console.error("run-tests: vitest wrote no report");
}

// Vitest failing with no failed test (no test files matched, an unhandled error, a crash) still
// counts as one failure, so the summary never says "0 failed" for a red run.
if (vitest.status !== 0 && failed === 0) {
  console.error(`run-tests: vitest exited with ${vitest.status ?? vitest.signal} although no test failed`);
  failed = 1;
}
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
