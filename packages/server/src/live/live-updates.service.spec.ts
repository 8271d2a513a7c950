import { describe, expect, it } from 'vitest';
import type { BoardsService } from '../boards/boards.service';
import { GLOBAL_BOARD } from '../boards/boards.service';
import { Lifecycle } from '../common/lifecycle';
import type { LeaderboardService } from '../leaderboard/leaderboard.service';
import type { StatsDto } from '../stats/dto/stats.dto';
import type { StatsService } from '../stats/stats.service';
import { LiveUpdatesService, type LiveEvent } from './live-updates.service';
import { InProcessUpdatesBus } from './updates-bus';

/** Stats reads that end when the test says, in any order. */
function controlledStats() {
  const reads: Array<(stats: StatsDto) => void> = [];
  const service = {
    stats: () => new Promise<StatsDto>((resolve) => reads.push(resolve)),
  } as unknown as StatsService;
  return { service, reads };
}

const statsOf = (total: number): StatsDto =>
  ({ total_scores: total, high_score: total > 0 ? 64 : 0 }) as unknown as StatsDto;

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveUpdatesService', () => {
  it('never ends on stale stats: a read that started earlier and ended later is dropped', async () => {
    const stats = controlledStats();
    const bus = new InProcessUpdatesBus();
    const live = new LiveUpdatesService(
      new Lifecycle(),
      bus,
      stats.service,
      {} as BoardsService,
      {} as LeaderboardService,
    );
    live.onApplicationBootstrap();
    const sent: LiveEvent[] = [];
    live.connect({ userId: 'u1', boards: [], send: (e) => sent.push(e), close: () => undefined });
    await settled();
    stats.reads[0]!(statsOf(0)); // the stream's first state
    await settled();

    // The score is accepted (pending) and then applied: two reads, the first ending last.
    await bus.publish({ type: 'stats', userId: 'u1', boardId: GLOBAL_BOARD });
    await bus.publish({ type: 'stats', userId: 'u1', boardId: GLOBAL_BOARD });
    expect(stats.reads).toHaveLength(3);
    stats.reads[2]!(statsOf(1));
    await settled();
    stats.reads[1]!(statsOf(0));
    await settled();

    const totals = sent.map((event) => (event.data as StatsDto).total_scores);
    expect(totals).toEqual([0, 1]);
    live.onModuleDestroy();
  });
});
