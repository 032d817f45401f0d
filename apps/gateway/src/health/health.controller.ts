import { Public } from '@flow-crm/auth';
import { RawResponse } from '@flow-crm/http';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { ServiceHealth, type ServiceStatus } from './service-health';

@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: ServiceHealth) {}

  /** The readiness of every service behind the gateway: 200 when all are up, 503 otherwise. */
  @ApiTags('gateway')
  @Get('api/health')
  async services(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: string; services: Record<string, ServiceStatus> }> {
    const report = await this.health.check();
    if (report.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @ApiExcludeEndpoint()
  @RawResponse()
  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The gateway is ready when it listens: a service being down is answered per route, not by removing the gateway. */
  @ApiExcludeEndpoint()
  @RawResponse()
  @Get('health/ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
