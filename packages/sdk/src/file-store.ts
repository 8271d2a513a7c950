import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { QueuedSubmission, SubmissionStore } from './store.js';

export type { QueuedSubmission, SubmissionStore } from './store.js';

/**
 * A queue's submissions in one JSON file, for Node (`@scoreboard/sdk/node`). Every write is atomic:
 * the whole file is written to a temporary file beside it, flushed to disk, then renamed over it
 * (and the directory flushed), so a crash at any moment leaves the previous file or the new one,
 * never a torn one. Changes that arrive while a write is under way go together in the next one, so
 * a burst of submissions costs a few writes, not one each. One process per file.
 */
export class FileStore implements SubmissionStore {
  private entries: Promise<Map<string, QueuedSubmission>> | undefined;
  /** The write under way, and the one that will carry the changes made since it started. */
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(readonly path: string) {}

  async load(): Promise<QueuedSubmission[]> {
    return [...(await this.map()).values()];
  }

  async add(submission: QueuedSubmission): Promise<void> {
    (await this.map()).set(submission.key, submission);
    await this.persist();
  }

  async remove(key: string): Promise<void> {
    if ((await this.map()).delete(key)) await this.persist();
  }

  /** The file's submissions, read once (every later change is made here first, then written). */
  private map(): Promise<Map<string, QueuedSubmission>> {
    this.entries ??= readFile(this.path, 'utf8').then(
      (text) => new Map((JSON.parse(text) as QueuedSubmission[]).map((e) => [e.key, e])),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return new Map();
        throw error;
      },
    );
    return this.entries;
  }

  /** Resolves once a write that started after this call has completed. */
  private persist(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => (this.writing = undefined));
      return this.writing;
    }
    this.next ??= this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.persist();
      });
    return this.next;
  }

  private async write(): Promise<void> {
    const text = JSON.stringify([...(await this.map()).values()]);
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true });
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    const dir = await open(directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
