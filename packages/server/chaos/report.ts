import { SETTLE_BUDGET_MS, type InvariantResult, type Settled } from './checker';
import type { WorkloadStats } from './clients';

export type RunSummary = {
  seed: number;
  durationSeconds: number;
  clients: number;
  players: number;
  faults: ReadonlyMap<string, number> | undefined;
  workload: WorkloadStats;
  settled: Settled;
  invariants: InvariantResult[];
  runDir: string;
};

/** The final report: what was run, what was injected, and each invariant with its counts. */
export function formatReport(run: RunSummary): string {
  const w = run.workload;
  const failed = run.invariants.filter((invariant) => !invariant.pass);
  const tally = (entries: Iterable<[string, number]>) =>
    [...entries].map(([name, n]) => `${name} × ${n}`).join(', ') || 'none';
  const settle = (seconds: number | undefined, budgetMs: number) =>
    seconds === undefined ? `not within ${budgetMs / 1000} s` : `${seconds.toFixed(1)} s`;
  return [
    '',
    '=== chaos report ===',
    `seed ${run.seed}, ${run.durationSeconds} s, ${run.clients} clients, ${run.players} players`,
    `operations: ${w.operations} submitted: ${w.acknowledged} acknowledged ` +
      `(${w.replayed} by a replay), ${w.retried} retried, ${w.indeterminate} indeterminate, ` +
      `${w.rejected} rejected; ${w.attempts} requests`,
    `responses: ${tally([...w.responses].sort(([a], [b]) => a.localeCompare(b)))}`,
    `faults: ${run.faults ? tally(run.faults) : 'none (--no-faults)'}`,
    `settled: nothing pending after ${settle(run.settled.pending, SETTLE_BUDGET_MS.pending)}, ` +
      `leaderboard matching after ${settle(run.settled.leaderboard, SETTLE_BUDGET_MS.leaderboard)}` +
      ('webhooks' in run.settled
        ? `, webhooks delivered after ${settle(run.settled.webhooks, SETTLE_BUDGET_MS.webhooks)}`
        : ''),
    'invariants:',
    ...run.invariants.flatMap((invariant) => [
      `  ${invariant.pass ? 'PASS' : 'FAIL'}  ${invariant.name}`,
      `        ${invariant.summary}`,
      ...invariant.details.map((detail) => `        - ${detail}`),
    ]),
    failed.length === 0
      ? `result: PASS (${run.invariants.length} invariants hold)`
      : `result: FAIL (${failed.length} of ${run.invariants.length} invariants violated)`,
    `logs: ${run.runDir}`,
    '',
  ].join('\n');
}
