import { BrokerConnection, EventConsumer } from '@flow-crm/bus';
import { RawResponse } from '@flow-crm/http';
import { Public } from '@flow-crm/auth';
import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { type FastifyReply } from 'fastify';

/** Liveness (the process answers) and readiness (its database and broker answer). */
@ApiExcludeController()
@Public()
@RawResponse()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly broker: BrokerConnection,
    private readonly consumer: EventConsumer,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 2_000 }),
        () => this.brokerCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as object;
    }
  }

  private brokerCheck() {
    const indicator = this.indicators.check('broker');
    const consuming = this.consumer.patterns.length === 0 || this.consumer.isConsuming;
    return this.broker.isConnected && consuming
      ? indicator.up()
      : indicator.down({ connected: this.broker.isConnected, consuming });
  }
}
