import { Module } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';

/** The outbox of events out, written by the apply, finalizations and moderation. */
@Module({ providers: [OutboxRepository], exports: [OutboxRepository] })
export class OutboxModule {}
