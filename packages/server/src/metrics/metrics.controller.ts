import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Metrics } from './metrics.service';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    // The backlog is PostgreSQL's truth, read at scrape time (two partial-index counts).
    const [row]: Array<{ pending: string; dead: string }> = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM scores WHERE applied_at IS NULL AND dead_at IS NULL) AS pending,
              (SELECT count(*) FROM scores WHERE dead_at IS NOT NULL) AS dead`,
    );
    this.metrics.pendingBacklog.set(Number(row!.pending));
    this.metrics.deadLetters.set(Number(row!.dead));
    return this.metrics.registry.metrics();
  }
}
