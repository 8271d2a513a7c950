import {
  Controller,
  ServiceUnavailableException,
  Sse,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { LiveUpdatesService } from './live-updates.service';

const HEARTBEAT_MS = 15_000;

@ApiTags('live')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('stream')
export class StreamController {
  constructor(private readonly live: LiveUpdatesService) {}

  /**
   * Server-Sent Events: `stats` (the caller's /me/stats body) whenever their aggregates change,
   * `leaderboard` (the top 10) whenever it changes, and a `heartbeat` every 15 s. Both states are
   * sent once on connect.
   */
  @Sse()
  @ApiOkResponse({ description: 'text/event-stream of stats, leaderboard and heartbeat events' })
  stream(@CurrentUser() user: AuthenticatedUser): Observable<MessageEvent> {
    if (!this.live.accepting) {
      throw new ServiceUnavailableException({
        message: 'The server is shutting down; reconnect shortly',
        retryAfterSeconds: 1,
      });
    }
    return new Observable<MessageEvent>((subscriber) => {
      const disconnect = this.live.connect({
        userId: user.id,
        send: (event) => subscriber.next(event),
        close: () => subscriber.complete(),
      });
      const heartbeat = setInterval(
        () => subscriber.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        HEARTBEAT_MS,
      );
      return () => {
        clearInterval(heartbeat);
        disconnect();
      };
    });
  }
}
