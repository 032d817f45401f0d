import { Public } from '@flow-crm/auth';
import { RawResponse } from '@flow-crm/http';
import { Metrics } from '@flow-crm/observability';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** Prometheus scrape endpoint; outside /api, so the gateway never exposes it. */
@ApiExcludeController()
@Public()
@RawResponse()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
