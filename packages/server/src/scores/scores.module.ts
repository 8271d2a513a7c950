import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BoardsModule } from '../boards/boards.module';
import { ScoresController } from './scores.controller';
import { ScoresRepository } from './scores.repository';
import { ScoresService } from './scores.service';
import { SubmissionBatcher } from './submission-batcher';
import { SubmissionWindowsPurge } from './submission-windows-purge';
import { SubmitterGuard } from './submitter.guard';

@Module({
  imports: [BoardsModule, ApiKeysModule],
  controllers: [ScoresController],
  providers: [
    ScoresService,
    ScoresRepository,
    SubmissionBatcher,
    SubmitterGuard,
    SubmissionWindowsPurge,
  ],
})
export class ScoresModule {}
