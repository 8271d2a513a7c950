import { Injectable } from '@nestjs/common';
import { isTransient } from '../common/failure-class';
import {
  asUnknownUser,
  ScoresRepository,
  type SubmitAttempt,
  type SubmitOutcome,
} from './scores.repository';

/** The most submissions one statement carries. */
const MAX_BATCH = 256;

type Waiting = {
  attempt: SubmitAttempt;
  resolve: (outcome: SubmitOutcome) => void;
  reject: (error: unknown) => void;
};

/**
 * Group commit: the submissions that reach this point in one turn of the event loop go to the
 * database in one statement (one round trip, one transaction, one commit for all), and each gets
 * the outcome it would have had alone. Nothing waits for a timer: a submission waits at most for
 * the other requests that were being read in the same turn. While one batch is in flight, the
 * next forms and goes on another pooled connection.
 *
 * One failing submission fails its whole statement (an account deleted between its check and its
 * insert: a foreign-key violation), so a batch that fails is sent again one submission at a time,
 * and each gets its own outcome or error; a transient failure (the database unreachable or too
 * slow) fails the whole batch at once.
 */
@Injectable()
export class SubmissionBatcher {
  private waiting: Waiting[] = [];

  constructor(private readonly scores: ScoresRepository) {}

  submit(attempt: SubmitAttempt): Promise<SubmitOutcome> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ attempt, resolve, reject }) === 1) {
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0, MAX_BATCH);
    if (this.waiting.length > 0) setImmediate(() => void this.flush());
    try {
      const outcomes = await this.scores.submitAll(batch.map((waiting) => waiting.attempt));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]!));
    } catch (error) {
      if (batch.length === 1 || isTransient(error)) {
        // A failure of the database, not of one submission: sending each again would only make
        // every request wait twice for it (a frozen server, say).
        return batch.forEach((waiting) =>
          waiting.reject(asUnknownUser(error, waiting.attempt.userId)),
        );
      }
      await Promise.all(
        batch.map((waiting) =>
          this.scores.submitAll([waiting.attempt]).then(
            ([outcome]) => waiting.resolve(outcome!),
            (alone: unknown) => waiting.reject(asUnknownUser(alone, waiting.attempt.userId)),
          ),
        ),
      );
    }
  }
}
