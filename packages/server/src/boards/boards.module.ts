import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AdminBoardsController, BoardsController } from './boards.controller';
import { BoardsRepository } from './boards.repository';
import { BoardsService } from './boards.service';

/** Boards and their periods, for every role. */
@Module({
  imports: [AuditModule],
  providers: [BoardsRepository, BoardsService],
  exports: [BoardsService],
})
export class BoardsModule {}

/** GET /api/boards[/:board], and the admin routes that create and change boards. */
@Module({
  imports: [BoardsModule],
  controllers: [BoardsController, AdminBoardsController],
})
export class BoardsApiModule {}
