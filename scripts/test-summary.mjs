// Sums up Vitest JSON reports into the closing line "N passed, N failed".
//
// Used by scripts/run-tests.mjs (the root `npm test`), which reads each suite's report as it ends.
// Run on its own, it prints that line over whatever reports the workspaces hold now, and exits 1
// when a test failed or there is no report at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The report at `path`, or undefined when there is none or it is older than `since` (a report a
 * previous run left behind).
 */
export function readReport(path, { since = 0 } = {}) {
  if (!existsSync(path)) return undefined;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  return report.startTime >= since ? report : undefined;
}

/**
 * Passed, failed and skipped tests of one report. A test file that failed without a failed test
 * (it did not load, or a hook before its tests failed) counts as one failure, named in `problems`.
 */
export function countReport(report) {
  const problems = [];
  let failed = report.numFailedTests;
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (file.status === 'failed' && failedTests.length === 0) {
      failed += 1;
      const reason = (file.message || 'failed before any test ran').split('\n')[0];
      problems.push(`${relative(process.cwd(), file.name)}: ${reason}`);
    }
  }
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + report.numTodoTests,
    problems,
  };
}

/** The closing line. */
export function summaryLine({ passed, failed }) {
  return `${passed} passed, ${failed} failed`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const reports = ['packages/server', 'packages/sdk', 'packages/client']
    .map((dir) => `${dir}/test-results`)
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => /^vitest.*\.json$/.test(name))
        .map((name) => readReport(`${dir}/${name}`)),
    );
  const total = { passed: 0, failed: 0 };
  for (const report of reports) {
    const counts = countReport(report);
    total.passed += counts.passed;
    total.failed += counts.failed;
  }
  console.log(summaryLine(total));
  process.exit(total.failed > 0 || reports.length === 0 ? 1 : 0);
}
