import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { RedisClients, type RedisScript } from '../redis/redis-clients';
import {
  DELETED_VERSION,
  LeaderboardStore,
  type PeriodKey,
  type RankedStanding,
  type Standing,
  type StandingKey,
} from './leaderboard-store';
import { PostgresLeaderboardStore } from './postgres-leaderboard.store';

/**
 * Sorted-set encoding, exact for every ranked value (a bigint: sums grow past a double's 2^53) and
 * every instant: each member has the score 0, so the set orders members bytewise, and a member is
 * "<rank score + 2^63, 20 digits>:<achieved_at in µs, 17 digits>:<user id, 19 digits>". Ascending
 * order is then best first, achieved_at asc (the microseconds PostgreSQL orders by), user id asc:
 * exactly PostgreSQL's order. A hash maps user id -> "<version>|<member>", the member empty for a
 * standing that is not ranked (a suspended player, no counted score): the version outlives its
 * entry.
 *
 * A deleted account leaves neither: its tombstone (which keeps a late write of an older version,
 * read before the deletion, from bringing the entry back) is a member of the period's `deleted`
 * set, scored with the time it expires, and the set itself expires with its newest tombstone.
 * After the tombstone TTL (once every writer has seen the deletion), nothing names the user.
 */
const OFFSET = 2n ** 63n;

export function encodeMember(s: StandingKey): string {
  return `${(BigInt(s.rankScore) + OFFSET).toString().padStart(20, '0')}:${s.achievedAtMicros.padStart(17, '0')}:${s.userId.padStart(19, '0')}`;
}

export function decodeMember(member: string): StandingKey {
  const [rank, achieved, user] = member.split(':');
  return {
    rankScore: (BigInt(rank!) - OFFSET).toString(),
    achievedAtMicros: BigInt(achieved!).toString(),
    userId: BigInt(user!).toString(),
  };
}

function decode(period: PeriodKey, member: string, rank: number): RankedStanding {
  return { ...period, rank, ...decodeMember(member) };
}

/**
 * Writes standings by version: a user's entry is only ever replaced by a newer version of their
 * standing (PostgreSQL raises it with every change), which may rank them worse, or not at all.
 * Writes therefore commute, so those of several workers and moderations may arrive in any order.
 * They go to the set once it is built (its ready key exists) and, while a rebuild runs (its lock
 * key exists), to the set being built: a set that is neither, say that of a period whose copy has
 * expired, is not recreated half-full.
 * KEYS: zset, hash, deleted [, ready, rebuild zset, rebuild hash, rebuild lock]; ARGV: tombstone
 * TTL in ms, then user, version, member ('' = not ranked), ... With only three keys, writes into
 * those unconditionally (the rebuild's own writes). A write at DELETED_VERSION removes the user's
 * entry and records their tombstone instead.
 */
const PUT = `
local function remove(z, h, user)
  local old = redis.call('HGET', h, user)
  if not old then return end
  local oldMember = string.sub(old, string.find(old, '|', 1, true) + 1)
  if oldMember ~= '' then redis.call('ZREM', z, oldMember) end
  redis.call('HDEL', h, user)
end
local function put(z, h, user, version, member)
  local old = redis.call('HGET', h, user)
  if old then
    local sep = string.find(old, '|', 1, true)
    if tonumber(string.sub(old, 1, sep - 1)) >= tonumber(version) then return end
    local oldMember = string.sub(old, sep + 1)
    if oldMember ~= '' then redis.call('ZREM', z, oldMember) end
  end
  if member ~= '' then redis.call('ZADD', z, 0, member) end
  redis.call('HSET', h, user, version .. '|' .. member)
end
local deleted = KEYS[3]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', deleted, '-inf', now)
local direct = #KEYS == 3
local live = direct or redis.call('EXISTS', KEYS[4]) == 1
local rebuilding = not direct and redis.call('EXISTS', KEYS[7]) == 1
for i = 2, #ARGV, 3 do
  local user = ARGV[i]
  if ARGV[i + 1] == '${DELETED_VERSION}' then
    remove(KEYS[1], KEYS[2], user)
    if not direct then remove(KEYS[5], KEYS[6], user) end
    redis.call('ZADD', deleted, now + ttl, user)
    redis.call('PEXPIRE', deleted, ttl)
  elseif not redis.call('ZSCORE', deleted, user) then
    if live then put(KEYS[1], KEYS[2], user, ARGV[i + 1], ARGV[i + 2]) end
    if rebuilding then put(KEYS[5], KEYS[6], user, ARGV[i + 1], ARGV[i + 2]) end
  end
end
return 1`;

/** KEYS: zset, ready; ARGV: start, stop. False until the set has been built. */
const PAGE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])}`;

/** KEYS: zset, hash, ready; ARGV: user, radius. {-1} when the user has no standing. */
const AROUND = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local entry = redis.call('HGET', KEYS[2], ARGV[1])
if not entry then return {-1} end
local member = string.sub(entry, string.find(entry, '|', 1, true) + 1)
if member == '' then return {-1} end
local rank = redis.call('ZRANK', KEYS[1], member)
if not rank then return {-1} end
local first = math.max(0, rank - tonumber(ARGV[2]))
return {rank, first, redis.call('ZRANGE', KEYS[1], first, rank + tonumber(ARGV[2]))}`;

/**
 * KEYS: zset, ready; ARGV: member. How many members are ahead of it, whether or not it is one:
 * it is placed in the set for its rank and taken out again, unseen. False until the set has been
 * built.
 */
const COUNT_AHEAD = `
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local present = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not present then redis.call('ZADD', KEYS[1], 0, ARGV[1]) end
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not present then redis.call('ZREM', KEYS[1], ARGV[1]) end
return rank`;

/**
 * KEYS: zset, hash, ready; ARGV: user ids. The ranked ones among them as {rank (0-based), member}
 * pairs, flattened: one hash read and one rank lookup per id, whatever the set's size. False
 * until the set has been built.
 */
const RANKS = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local found = {}
for i = 1, #ARGV do
  local entry = redis.call('HGET', KEYS[2], ARGV[i])
  if entry then
    local member = string.sub(entry, string.find(entry, '|', 1, true) + 1)
    if member ~= '' then
      local rank = redis.call('ZRANK', KEYS[1], member)
      if rank then
        found[#found + 1] = rank
        found[#found + 1] = member
      end
    end
  end
end
return found`;

/** KEYS: zset, ready. The number of ranked players; false until the set has been built. */
const COUNT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
return redis.call('ZCARD', KEYS[1])`;

/**
 * KEYS: zset, hash, rebuild zset, rebuild hash, ready, lock; ARGV: lock token, ms to keep the
 * set (0: for good).
 */
const FINISH_REBUILD = `
if redis.call('GET', KEYS[6]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], KEYS[1])
  redis.call('RENAME', KEYS[4], KEYS[2])
else
  redis.call('DEL', KEYS[1], KEYS[2])
end
redis.call('SET', KEYS[5], '1')
local keep = tonumber(ARGV[2])
if keep > 0 then
  for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], keep) end
end
redis.call('DEL', KEYS[6])
return 1`;

/** KEYS: lock; ARGV: token. Deletes the lock only if it is still this rebuild's. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const REBUILD_LOCK_MS = 10 * 60_000;

/** After a period ends, its copy in Redis is kept this long (PostgreSQL serves it then). */
const KEEP_AFTER_END_MS = 60 * 60_000;

/**
 * How long a deleted account's tombstone is kept by default (LEADERBOARD_TOMBSTONE_TTL_MS): far
 * longer than a write can take between reading a standing in PostgreSQL and recording it here.
 */
export const DEFAULT_TOMBSTONE_TTL_MS = 10 * 60_000;

type Keys = Record<
  'zset' | 'members' | 'deleted' | 'ready' | 'rebuildZset' | 'rebuildMembers' | 'lock',
  string
>;

/**
 * Rankings in Redis sorted sets, one per board and period, kept by the worker after each commit
 * and rebuilt from PostgreSQL when missing (a new period, a new or flushed Redis) or found
 * incomplete. Until a set is built, its reads fall back to PostgreSQL. A board's keys share one
 * hash tag, `{board:<id>}`, so that on a Redis Cluster they live in one slot; a new period is a
 * new key, so a rollover copies nothing.
 */
export class RedisLeaderboardStore extends LeaderboardStore {
  readonly recordsStandings = true;
  private readonly logger = new Logger(RedisLeaderboardStore.name);
  private readonly scripts: Record<
    'put' | 'page' | 'around' | 'countAhead' | 'ranks' | 'count' | 'finishRebuild' | 'releaseLock',
    RedisScript
  >;

  constructor(
    private readonly clients: RedisClients,
    private readonly fallback: PostgresLeaderboardStore,
    private readonly tombstoneTtlMs = DEFAULT_TOMBSTONE_TTL_MS,
  ) {
    super();
    // Loaded once per connection and called by their SHA from then on.
    this.scripts = {
      put: clients.script('leaderboardPut', PUT),
      page: clients.script('leaderboardPage', PAGE),
      around: clients.script('leaderboardAround', AROUND),
      countAhead: clients.script('leaderboardCountAhead', COUNT_AHEAD),
      ranks: clients.script('leaderboardRanks', RANKS),
      count: clients.script('leaderboardCount', COUNT),
      finishRebuild: clients.script('leaderboardFinishRebuild', FINISH_REBUILD),
      releaseLock: clients.script('leaderboardReleaseLock', RELEASE_LOCK),
    };
  }

  private keys(period: PeriodKey): Keys {
    // "standings": the sets of earlier encodings (":leaderboard", ":ranking") are never read.
    const base = this.clients.key(`{board:${period.boardId}}:period:${period.periodId}:standings`);
    return {
      zset: base,
      members: `${base}:members`,
      deleted: `${base}:deleted`,
      ready: `${base}:ready`,
      rebuildZset: `${base}:rebuild`,
      rebuildMembers: `${base}:rebuild:members`,
      lock: `${base}:rebuild:lock`,
    };
  }

  /** The keys of the encodings before this one, dropped by a rebuild. */
  private legacyKeys(period: PeriodKey): string[] {
    const prefix = this.clients.key(`{board:${period.boardId}}:period:${period.periodId}`);
    return ['ranking', 'leaderboard'].flatMap((name) =>
      ['', ':members', ':ready'].map((suffix) => `${prefix}:${name}${suffix}`),
    );
  }

  async page(period: PeriodKey, limit: number, offset: number) {
    const k = this.keys(period);
    const result = (await this.read(() =>
      this.scripts.page([k.zset, k.ready], [offset, offset + limit - 1]),
    )) as [number, string[]] | null;
    if (!result) return this.fallback.page(period, limit, offset);
    const [total, flat] = result;
    return {
      standings: flat.map((member, i) => decode(period, member, offset + i + 1)),
      total,
    };
  }

  async around(period: PeriodKey, userId: string, radius: number) {
    const k = this.keys(period);
    const result = (await this.read(() =>
      this.scripts.around([k.zset, k.members, k.ready], [userId, radius]),
    )) as [number, number?, string[]?] | null;
    if (!result) return this.fallback.around(period, userId, radius);
    const [rank, first, flat] = result;
    if (rank < 0) return null;
    return {
      rank: rank + 1,
      standings: flat!.map((member, i) => decode(period, member, first! + i + 1)),
    };
  }

  async countAhead(period: PeriodKey, key: StandingKey): Promise<number> {
    const k = this.keys(period);
    const count = (await this.read(() =>
      this.scripts.countAhead([k.zset, k.ready], [encodeMember(key)]),
    )) as number | null;
    return count ?? this.fallback.countAhead(period, key);
  }

  async ranks(period: PeriodKey, userIds: string[]): Promise<RankedStanding[]> {
    const k = this.keys(period);
    const flat = (await this.read(() =>
      this.scripts.ranks([k.zset, k.members, k.ready], userIds),
    )) as Array<number | string> | null;
    if (!flat) return this.fallback.ranks(period, userIds);
    const found: RankedStanding[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      found.push(decode(period, flat[i + 1] as string, (flat[i] as number) + 1));
    }
    return found.sort((a, b) => a.rank - b.rank);
  }

  async count(period: PeriodKey): Promise<number> {
    const k = this.keys(period);
    const count = (await this.read(() => this.scripts.count([k.zset, k.ready], []))) as
      number | null;
    return count ?? this.fallback.count(period);
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

  /** Writes the standings into their periods' sets, one script call per period. */
  async record(standings: Standing[]): Promise<void> {
    const byPeriod = new Map<string, Standing[]>();
    for (const standing of standings) {
      const key = `${standing.boardId}\u0000${standing.periodId}`;
      byPeriod.set(key, [...(byPeriod.get(key) ?? []), standing]);
    }
    for (const group of byPeriod.values()) {
      const k = this.keys(group[0]!);
      await this.scripts.put(
        [k.zset, k.members, k.deleted, k.ready, k.rebuildZset, k.rebuildMembers, k.lock],
        [this.tombstoneTtlMs, ...args(group)],
      );
    }
  }

  async status(period: PeriodKey): Promise<{ ready: boolean; size: number }> {
    const k = this.keys(period);
    const [ready, size] = (await this.clients.commands
      .multi()
      .exists(k.ready)
      .zcard(k.zset)
      .exec())!.map(([, value]) => Number(value));
    return { ready: ready === 1, size: size! };
  }

  /** Reads fall back to PostgreSQL until the maintainer has rebuilt the period's set. */
  async invalidate(period: PeriodKey): Promise<void> {
    await this.clients.commands.del(this.keys(period).ready);
  }

  /**
   * Rebuilds a period's set into a side key, then swaps it in atomically; standings recorded
   * meanwhile are written into both (by version, so the newer of a page's and a write's wins). One process at a time (a lock key, released however the
   * rebuild ends).
   */
  async rebuild(
    period: PeriodKey,
    readPage: (afterUserId: string) => Promise<Standing[]>,
    keepUntil: Date | null,
  ): Promise<boolean> {
    const k = this.keys(period);
    const redis = this.clients.commands;
    const token = randomBytes(8).toString('hex');
    if ((await redis.set(k.lock, token, 'PX', REBUILD_LOCK_MS, 'NX')) !== 'OK') return false;
    try {
      const started = Date.now();
      await redis.del(k.rebuildZset, k.rebuildMembers);
      await redis.unlink(...this.legacyKeys(period));
      let players = 0;
      for (let after = '0'; ;) {
        const standings = await readPage(after);
        if (standings.length === 0) break;
        await this.scripts.put(
          [k.rebuildZset, k.rebuildMembers, k.deleted],
          [this.tombstoneTtlMs, ...args(standings)],
        );
        players += standings.filter((standing) => standing.ranked).length;
        after = standings[standings.length - 1]!.userId;
      }
      const keepMs = keepUntil
        ? Math.max(1, keepUntil.getTime() + KEEP_AFTER_END_MS - Date.now())
        : 0;
      const finished = await this.scripts.finishRebuild(
        [k.zset, k.members, k.rebuildZset, k.rebuildMembers, k.ready, k.lock],
        [token, keepMs],
      );
      this.logger.log(
        { ...period, players, ms: Date.now() - started },
        'Leaderboard rebuilt from PostgreSQL',
      );
      return finished === 1;
    } finally {
      await this.scripts.releaseLock([k.lock], [token]).catch(() => undefined);
    }
  }
}

function args(standings: Standing[]): Array<string | number> {
  return standings.flatMap((s) => [s.userId, s.version, s.ranked ? encodeMember(s) : '']);
}
