import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/file-store.js';
import { LocalStorageStore, type QueuedSubmission, type WebStorage } from '../src/store.js';

const directory = mkdtempSync(join(tmpdir(), 'scoreboard-sdk-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const entry = (key: string, value = 1): QueuedSubmission => ({
  key,
  value,
  queuedAt: '2026-12-06T12:00:00.000Z',
});

describe('FileStore', () => {
  it('keeps submissions in order across instances (a restart), and forgets removed ones', async () => {
    const path = join(directory, 'restart', 'queue.json');
    const first = new FileStore(path);
    await first.add(entry('a', 1));
    await first.add({
      ...entry('b', 2),
      board: 'speedrun',
      userId: '7',
      metadata: { map: 'dust' },
    });
    await first.add(entry('c', 3));
    await first.remove('a');
    const second = new FileStore(path);
    expect(await second.load()).toEqual([
      { ...entry('b', 2), board: 'speedrun', userId: '7', metadata: { map: 'dust' } },
      entry('c', 3),
    ]);
  });

  it('writes a burst of additions in a few atomic writes, each one durable when it resolves', async () => {
    const path = join(directory, 'burst.json');
    const store = new FileStore(path);
    const keys = Array.from({ length: 200 }, (_, n) => `k${n}`);
    await Promise.all(keys.map((key) => store.add(entry(key))));
    const onDisk = JSON.parse(readFileSync(path, 'utf8')) as QueuedSubmission[];
    expect(onDisk.map((e) => e.key)).toEqual(keys);
    // No temporary file is left beside it.
    expect(readdirSync(directory).filter((name) => name.startsWith('burst'))).toEqual([
      'burst.json',
    ]);
  });

  it('ignores a temporary file that a crash left mid-write', async () => {
    const path = join(directory, 'crashed.json');
    await new FileStore(path).add(entry('kept'));
    writeFileSync(`${path}.abc123.tmp`, '[{"key":"torn');
    expect((await new FileStore(path).load()).map((e) => e.key)).toEqual(['kept']);
  });

  it('loads nothing from a file that does not exist yet', async () => {
    expect(await new FileStore(join(directory, 'none.json')).load()).toEqual([]);
  });
});

describe('LocalStorageStore', () => {
  const storage = (): WebStorage & { items: Map<string, string> } => {
    const items = new Map<string, string>();
    return {
      items,
      getItem: (name) => items.get(name) ?? null,
      setItem: (name, value) => void items.set(name, value),
    };
  };

  it('keeps each queue under its own item, in order', async () => {
    const web = storage();
    const player = new LocalStorageStore('player-1', web);
    await player.add(entry('a'));
    await player.add(entry('b'));
    await new LocalStorageStore('player-2', web).add(entry('z'));
    await player.remove('a');
    expect((await new LocalStorageStore('player-1', web).load()).map((e) => e.key)).toEqual(['b']);
    expect([...web.items.keys()].sort()).toEqual([
      'scoreboard-sdk:queue:player-1',
      'scoreboard-sdk:queue:player-2',
    ]);
  });

  it('starts empty over an item that is not a queue', async () => {
    const web = storage();
    web.setItem('scoreboard-sdk:queue:default', '{not json');
    expect(await new LocalStorageStore('default', web).load()).toEqual([]);
  });
});
