// The root `npm test`: runs every workspace's suites in turn (server, sdk, client components,
// client browser), goes on after a failure so that everything is reported, and ends with one line over
// all their Vitest JSON reports: "N passed, N failed". Exits 1 when a test failed or a suite could
// not run at all (a compile error before Vitest wrote a report counts as a failure of that suite).
//
// Each workspace's own `npm test` still works alone; the client's is split here into its two
// suites so that a component test failure does not keep the browser tests from running.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { countReport, readReport, summaryLine } from './test-summary.mjs';

const SUITES = [
  {
    name: 'server',
    report: 'packages/server/test-results/vitest.json',
    // Builds dist/ (which the browser tests run too), then runs Vitest.
    steps: [['npm', 'test', '--workspace', 'packages/server']],
  },
  {
    name: 'sdk',
    report: 'packages/sdk/test-results/vitest.json',
    // Its integration tests run the built server (which the server suite builds; alone, this does).
    steps: [
      ['node', 'scripts/build.mjs', '--if-changed', '--quiet', 'server'],
      ['npm', 'test', '--workspace', 'packages/sdk'],
    ],
  },
  {
    name: 'client components',
    report: 'packages/client/test-results/vitest.json',
    steps: [['npm', 'exec', '--workspace', 'packages/client', '--', 'vitest', 'run']],
  },
  {
    name: 'client browser',
    report: 'packages/client/test-results/vitest-e2e.json',
    steps: [
      ['npm', 'exec', '--workspace', 'packages/client', '--', 'vite', 'build'],
      ['npm', 'run', 'test:e2e', '--workspace', 'packages/client'],
    ],
  },
];

let current;
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = signal;
    current?.kill(signal);
  });
}

function run([command, ...args]) {
  return new Promise((resolve) => {
    current = spawn(command, args, { stdio: 'inherit' });
    current.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(127);
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => (current = undefined));
}

const duration = (ms) => {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};

// Reports of an earlier run must not be counted.
for (const suite of SUITES) rmSync(suite.report, { force: true });

const started = Date.now();
const results = [];
for (const suite of SUITES) {
  if (interrupted) {
    results.push({
      suite,
      passed: 0,
      failed: 1,
      problems: [`not run: interrupted (${interrupted})`],
    });
    continue;
  }
  console.log(`\n==> Tests: ${suite.name}\n`);
  const suiteStarted = Date.now();
  let exitCode = 0;
  let failedStep;
  for (const step of suite.steps) {
    exitCode = await run(step);
    if (exitCode !== 0) {
      failedStep = step.join(' ');
      break;
    }
  }
  const ms = Date.now() - suiteStarted;
  const report = readReport(suite.report, { since: suiteStarted - 1000 });
  if (!report) {
    results.push({
      suite,
      ms,
      passed: 0,
      failed: 1,
      problems: [
        `could not run: \`${failedStep ?? suite.steps.at(-1).join(' ')}\` exited with code ${exitCode} ` +
          `and Vitest wrote no report (${suite.report})`,
      ],
    });
    continue;
  }
  const counts = countReport(report);
  if (exitCode !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.problems.push(
      `\`${failedStep}\` exited with code ${exitCode} though no test failed (see its output above)`,
    );
  }
  results.push({ suite, ms, ...counts });
}

console.log('\n==> Test summary\n');
for (const { suite, ms, passed, failed, skipped, problems } of results) {
  const extra = [skipped ? `${skipped} skipped` : '', ms === undefined ? '' : duration(ms)]
    .filter(Boolean)
    .join(', ');
  console.log(`${suite.name}: ${summaryLine({ passed, failed })}${extra ? ` (${extra})` : ''}`);
  for (const problem of problems) console.log(`  ${problem}`);
}
const total = {
  passed: results.reduce((sum, result) => sum + result.passed, 0),
  failed: results.reduce((sum, result) => sum + result.failed, 0),
};
console.log(`all suites: ${duration(Date.now() - started)}\n`);
console.log(summaryLine(total));
process.exitCode = interrupted ? 130 : total.failed > 0 ? 1 : 0;
