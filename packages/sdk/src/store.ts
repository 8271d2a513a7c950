/** One intended submission, kept until the server has answered it. */
export type QueuedSubmission = {
  /** The idempotency key, assigned once when the submission is queued. */
  key: string;
  value: number;
  /** Omitted: the server's default board (`global`). */
  board?: string;
  /** The player a game server submits for (API key only). */
  userId?: string;
  /** Context kept with the score (the server's `metadata`, where it accepts one). */
  metadata?: Record<string, unknown>;
  /** When it was queued (ISO 8601). */
  queuedAt: string;
};

/**
 * Where a queue keeps its submissions. `add` resolves only once the submission would survive a
 * crash of the process; `remove` may become durable later (a submission removed but found again
 * after a crash is sent again with its key, and answered as a replay). `load` gives them in the
 * order they were added. One queue per store.
 */
export type SubmissionStore = {
  load(): Promise<QueuedSubmission[]>;
  add(submission: QueuedSubmission): Promise<void>;
  remove(key: string): Promise<void>;
};

/** Keeps nothing across restarts: for tests, and for apps that need no durability. */
export class MemoryStore implements SubmissionStore {
  private readonly entries = new Map<string, QueuedSubmission>();

  async load(): Promise<QueuedSubmission[]> {
    return [...this.entries.values()];
  }

  async add(submission: QueuedSubmission): Promise<void> {
    this.entries.set(submission.key, submission);
  }

  async remove(key: string): Promise<void> {
    this.entries.delete(key);
  }
}

/** The part of the Web Storage API that LocalStorageStore uses. */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * A browser's `localStorage` (or `sessionStorage`), under one item holding every submission as
 * JSON: each change replaces the item in one synchronous call, so a closed tab leaves it whole.
 * Tabs of one origin share it: give each queue its own `name`.
 */
export class LocalStorageStore implements SubmissionStore {
  private readonly item: string;
  private readonly storage: WebStorage;

  constructor(name = 'default', storage: WebStorage = globalThis.localStorage) {
    this.item = `scoreboard-sdk:queue:${name}`;
    this.storage = storage;
  }

  async load(): Promise<QueuedSubmission[]> {
    return this.read();
  }

  async add(submission: QueuedSubmission): Promise<void> {
    this.write([...this.read().filter((entry) => entry.key !== submission.key), submission]);
  }

  async remove(key: string): Promise<void> {
    this.write(this.read().filter((entry) => entry.key !== key));
  }

  private read(): QueuedSubmission[] {
    const text = this.storage.getItem(this.item);
    if (text === null) return [];
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? (parsed as QueuedSubmission[]) : [];
    } catch {
      return [];
    }
  }

  private write(entries: QueuedSubmission[]): void {
    this.storage.setItem(this.item, JSON.stringify(entries));
  }
}
