// Sums every package's vitest JSON report into the one line CI reads.
// Arguments: failures outside vitest (lint, typecheck, a tree the tests changed), and the test
// command's exit status.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const extraFailures = Number(process.argv[2] ?? 0);
const testStatus = Number(process.argv[3] ?? 0);
let passed = 0;
let failed = 0;
let reports = 0;
for (const root of ["packages", "apps"]) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) {
    const file = join(root, name, ".test-results", "vitest.json");
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    reports += 1;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A suite that failed to load has no tests but is a failure.
    failed += (report.testResults ?? []).filter(
      (suite) => suite.status === "failed" && (suite.assertionResults ?? []).length === 0,
    ).length;
  }
}
failed += extraFailures;
// The test command failed without any failing test on record (a crash, a missing report).
if (testStatus !== 0 && failed === 0) failed = 1;
if (reports === 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
