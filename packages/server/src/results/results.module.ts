import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BoardsModule } from '../boards/boards.module';
import { OutboxModule } from '../webhooks/outbox.module';
import { PeriodFinalizer } from './period-finalizer';
import { PeriodResultsRepository } from './period-results.repository';
import { ClaimerGuard } from './claimer.guard';
import { MyResultsController, PeriodResultsController } from './results.controller';
import { ResultsService } from './results.service';

/** Period results: written when periods become final, revised by moderation. */
@Module({
  imports: [OutboxModule],
  providers: [PeriodResultsRepository],
  exports: [PeriodResultsRepository],
})
export class PeriodResultsModule {}

/** GET /api/boards/:board/periods/:id/results, GET /api/me/results and claims. */
@Module({
  imports: [PeriodResultsModule, BoardsModule, ApiKeysModule],
  controllers: [PeriodResultsController, MyResultsController],
  providers: [ResultsService, ClaimerGuard],
})
export class ResultsApiModule {}

/** The worker side: finalizes periods as they become final. */
@Module({
  imports: [PeriodResultsModule],
  providers: [PeriodFinalizer],
})
export class PeriodFinalizerModule {}
