import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { RedisClients, type RedisScript } from '../redis/redis-clients';
import { LeaderboardStore, type RankedStanding, type Standing } from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';

/**
 * Sorted-set encoding, exact for every allowed score: the set's score is -high_score (an integer,
 * exact in a double) and ties are broken by the member, which Redis orders bytewise:
 * "<achieved_at in µs, 17 digits>:<user id, 19 digits>". Ascending (score, member) order is then
 * high score desc, achieved_at asc, user id asc. A hash maps user id -> current member.
 */
const encodeMember = (s: Standing) =>
  `${s.achievedAtMicros.padStart(17, '0')}:${s.userId.padStart(19, '0')}`;

function decode(member: string, score: string, rank: number): RankedStanding {
  const [achieved, user] = member.split(':');
  return {
    rank,
    userId: user!.replace(/^0+(?=\d)/, ''),
    highScore: -Number(score),
    achievedAtMicros: achieved!.replace(/^0+(?=\d)/, ''),
  };
}

/**
 * Merges standings monotonically: a user's entry is only ever replaced by a better one (higher
 * score, or the same score reached earlier). Merges therefore commute, so updates from several
 * workers may arrive in any order. While a rebuild runs (its lock key exists) they go to the set
 * being built too.
 * KEYS: zset, hash [, rebuild zset, rebuild hash, rebuild lock]; ARGV: user, score, member, ...
 */
const MERGE = `
local function merge(z, h, user, score, member)
  local old = redis.call('HGET', h, user)
  if old then
    local oldScore = tonumber(redis.call('ZSCORE', z, old))
    if oldScore and (oldScore < score or (oldScore == score and old <= member)) then return end
    redis.call('ZREM', z, old)
  end
  redis.call('ZADD', z, score, member)
  redis.call('HSET', h, user, member)
end
local rebuilding = #KEYS == 5 and redis.call('EXISTS', KEYS[5]) == 1
for i = 1, #ARGV, 3 do
  local score = tonumber(ARGV[i + 1])
  merge(KEYS[1], KEYS[2], ARGV[i], score, ARGV[i + 2])
  if rebuilding then merge(KEYS[3], KEYS[4], ARGV[i], score, ARGV[i + 2]) end
end
return 1`;

/** KEYS: zset, ready; ARGV: start, stop. False until the set has been built. */
const PAGE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')}`;

/** KEYS: zset, hash, ready; ARGV: user, radius. {-1} when the user has no standing. */
const AROUND = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member then return {-1} end
local rank = redis.call('ZRANK', KEYS[1], member)
if not rank then return {-1} end
local first = math.max(0, rank - tonumber(ARGV[2]))
return {rank, first, redis.call('ZRANGE', KEYS[1], first, rank + tonumber(ARGV[2]), 'WITHSCORES')}`;

/** KEYS: zset, hash, rebuild zset, rebuild hash, ready, lock; ARGV: lock token. */
const FINISH_REBUILD = `
if redis.call('GET', KEYS[6]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], KEYS[1])
  redis.call('RENAME', KEYS[4], KEYS[2])
else
  redis.call('DEL', KEYS[1], KEYS[2])
end
redis.call('SET', KEYS[5], '1')
redis.call('DEL', KEYS[6])
return 1`;

/** KEYS: lock; ARGV: token. Deletes the lock only if it is still this rebuild's. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const REBUILD_LOCK_MS = 10 * 60_000;

/**
 * The ranking in a Redis sorted set, kept by the worker after each commit and rebuilt from
 * PostgreSQL when it is missing (a new or flushed Redis) or found incomplete. Until it is built,
 * reads fall back to PostgreSQL.
 */
export class RedisLeaderboardStore extends LeaderboardStore {
  readonly recordsStandings = true;
  private readonly logger = new Logger(RedisLeaderboardStore.name);
  private readonly keys;
  private readonly scripts: Record<
    'merge' | 'page' | 'around' | 'finishRebuild' | 'releaseLock',
    RedisScript
  >;

  constructor(
    private readonly clients: RedisClients,
    private readonly fallback: PostgresLeaderboardStore,
  ) {
    super();
    this.keys = {
      zset: clients.key('leaderboard'),
      members: clients.key('leaderboard:members'),
      ready: clients.key('leaderboard:ready'),
      rebuildZset: clients.key('leaderboard:rebuild'),
      rebuildMembers: clients.key('leaderboard:rebuild:members'),
      lock: clients.key('leaderboard:rebuild:lock'),
    };
    // Loaded once per connection and called by their SHA from then on.
    this.scripts = {
      merge: clients.script('leaderboardMerge', MERGE),
      page: clients.script('leaderboardPage', PAGE),
      around: clients.script('leaderboardAround', AROUND),
      finishRebuild: clients.script('leaderboardFinishRebuild', FINISH_REBUILD),
      releaseLock: clients.script('leaderboardReleaseLock', RELEASE_LOCK),
    };
  }

  async page(limit: number, offset: number) {
    const k = this.keys;
    const result = (await this.read(() =>
      this.scripts.page([k.zset, k.ready], [offset, offset + limit - 1]),
    )) as [number, string[]] | null;
    if (!result) return this.fallback.page(limit, offset);
    const [total, flat] = result;
    return { standings: pairs(flat).map(([m, s], i) => decode(m, s, offset + i + 1)), total };
  }

  async around(userId: string, radius: number) {
    const k = this.keys;
    const result = (await this.read(() =>
      this.scripts.around([k.zset, k.members, k.ready], [userId, radius]),
    )) as [number, number?, string[]?] | null;
    if (!result) return this.fallback.around(userId, radius);
    const [rank, first, flat] = result;
    if (rank < 0) return null;
    return {
      rank: rank + 1,
      standings: pairs(flat!).map(([m, s], i) => decode(m, s, first! + i + 1)),
    };
  }

  /** A read from Redis; null (so: answer from PostgreSQL) while Redis is unreachable. */
  private async read(command: () => Promise<unknown>): Promise<unknown> {
    try {
      return await command();
    } catch (error) {
      this.logger.warn({ err: error }, 'Leaderboard read from Redis failed, using PostgreSQL');
      return null;
    }
  }

  async record(standings: Standing[]): Promise<void> {
    if (standings.length === 0) return;
    const k = this.keys;
    await this.scripts.merge(
      [k.zset, k.members, k.rebuildZset, k.rebuildMembers, k.lock],
      args(standings),
    );
  }

  async status(): Promise<{ ready: boolean; size: number }> {
    const [ready, size] = (await this.clients.commands
      .multi()
      .exists(this.keys.ready)
      .zcard(this.keys.zset)
      .exec())!.map(([, value]) => Number(value));
    return { ready: ready === 1, size: size! };
  }

  /** Reads fall back to PostgreSQL until the maintainer has rebuilt the set. */
  async invalidate(): Promise<void> {
    await this.clients.commands.del(this.keys.ready);
  }

  /**
   * Rebuilds the set into a side key, then swaps it in atomically; standings recorded meanwhile
   * are merged into both. One process at a time (a lock key, released however the rebuild ends).
   */
  async rebuild(readPage: (afterUserId: string) => Promise<Standing[]>): Promise<boolean> {
    const k = this.keys;
    const redis = this.clients.commands;
    const token = randomBytes(8).toString('hex');
    if ((await redis.set(k.lock, token, 'PX', REBUILD_LOCK_MS, 'NX')) !== 'OK') return false;
    try {
      const started = Date.now();
      await redis.del(k.rebuildZset, k.rebuildMembers);
      let players = 0;
      for (let after = '0'; ;) {
        const standings = await readPage(after);
        if (standings.length === 0) break;
        await this.scripts.merge([k.rebuildZset, k.rebuildMembers], args(standings));
        players += standings.length;
        after = standings[standings.length - 1]!.userId;
      }
      const finished = await this.scripts.finishRebuild(
        [k.zset, k.members, k.rebuildZset, k.rebuildMembers, k.ready, k.lock],
        [token],
      );
      this.logger.log({ players, ms: Date.now() - started }, 'Leaderboard rebuilt from PostgreSQL');
      return finished === 1;
    } finally {
      await this.scripts.releaseLock([k.lock], [token]).catch(() => undefined);
    }
  }
}

function args(standings: Standing[]): Array<string | number> {
  return standings.flatMap((s) => [s.userId, -s.highScore, encodeMember(s)]);
}

function pairs(flat: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) result.push([flat[i]!, flat[i + 1]!]);
  return result;
}
