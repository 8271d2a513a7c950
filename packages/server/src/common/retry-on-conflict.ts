import { failureClass } from './failure-class';

/**
 * Runs a transaction again when it failed on a deadlock or a serialization failure (nothing of it
 * was committed, and a second try usually goes through), up to `attempts` times in all. Any other
 * failure, or the last one, is thrown (a transient one answers 503).
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const found = failureClass(error);
      if (attempt >= attempts || (found !== 'deadlock' && found !== 'serialization')) throw error;
    }
  }
}
