// Prints one closing line over every workspace's Vitest JSON reports: "N passed, N failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const reports = ['packages/server', 'packages/client']
  .map((dir) => `${dir}/test-results`)
  .filter((dir) => existsSync(dir))
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => /^vitest.*\.json$/.test(name))
      .map((name) => JSON.parse(readFileSync(`${dir}/${name}`, 'utf8'))),
  );
const sum = (key) => reports.reduce((total, report) => total + report[key], 0);
const skipped = sum('numPendingTests') + sum('numTodoTests');
console.log(
  `${sum('numPassedTests')} passed, ${sum('numFailedTests')} failed` +
    (skipped ? `, ${skipped} skipped` : ''),
);
process.exit(sum('numFailedTests') > 0 || reports.length === 0 ? 1 : 0);
