import {
  Controller,
  Query,
  ServiceUnavailableException,
  Sse,
  SseSignal,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { EMPTY, Observable } from 'rxjs';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { StreamQuery } from './dto/stream.dto';
import { LiveUpdatesService } from './live-updates.service';
import { StreamAdmission } from './stream-admission';

const HEARTBEAT_MS = 15_000;
/** The longest delay setTimeout honours (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

@ApiTags('live')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('stream')
export class StreamController {
  constructor(
    private readonly live: LiveUpdatesService,
    private readonly admission: StreamAdmission,
  ) {}

  /**
   * Server-Sent Events: `stats` (the caller's /me/stats body) whenever their aggregates change,
   * `leaderboard` (the top 10 of the current period of each board followed, with `board` and
   * `period`) whenever it changes, `rank` when the caller's own score moved their rank on a board
   * followed, and a `heartbeat` every 15 s. Stats and leaderboards are sent once on connect. When
   * the token expires the stream sends `expired` and ends.
   *
   * Limits are checked before the response starts, so a refusal is an ordinary error answer.
   */
  @Sse()
  @ApiOkResponse({
    description: 'text/event-stream of stats, leaderboard, heartbeat and expired events',
  })
  @ApiTooManyRequestsResponse({ description: 'The account has STREAM_MAX_PER_USER streams open' })
  @ApiServiceUnavailableResponse({
    description: 'Shutting down, or STREAM_MAX_CONNECTIONS streams open on this server',
  })
  async stream(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: StreamQuery,
    @SseSignal() signal: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    this.refuseWhenStopping();
    const boards = await this.live.followable(query.boards);
    const ticket = await this.admission.admit(user.id);
    // The signal ends the response's lifetime on every path: a client that left while it was
    // being admitted (Nest then never subscribes to the Observable), an error thrown below, the
    // stream's end.
    if (signal.aborted) {
      ticket.release();
      return EMPTY;
    }
    signal.addEventListener('abort', () => ticket.release(), { once: true });
    // Shutdown may have begun while the stream was being admitted.
    this.refuseWhenStopping();

    return new Observable<MessageEvent>((subscriber) => {
      const disconnect = this.live.connect({
        userId: user.id,
        boards,
        send: (event) => subscriber.next(event),
        close: () => subscriber.complete(),
      });
      const heartbeat = setInterval(
        () => subscriber.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        HEARTBEAT_MS,
      );
      const cancelExpiry = atTime(user.tokenExpiresAt, () => {
        subscriber.next({ type: 'expired', data: { message: 'Token expired; sign in again' } });
        subscriber.complete();
      });
      return () => {
        clearInterval(heartbeat);
        cancelExpiry();
        disconnect();
      };
    });
  }

  private refuseWhenStopping(): void {
    if (!this.live.accepting) {
      throw new ServiceUnavailableException({
        message: 'The server is shutting down; reconnect shortly',
        retryAfterSeconds: 1,
      });
    }
  }
}

/** Calls `callback` at `time` (ms since the epoch), however far ahead; returns its cancellation. */
function atTime(time: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = time - Date.now();
    timer = delay > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, delay);
  };
  arm();
  return () => clearTimeout(timer);
}
