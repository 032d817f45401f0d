import { RequiredText, WithMeta } from '@flow-crm/http';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional } from 'class-validator';
import { type FastifyRequest } from 'fastify';
import { FanOut } from './fan-out';

export const SEARCH_TYPES = ['contacts', 'customers', 'deals', 'leads'] as const;
type SearchType = (typeof SEARCH_TYPES)[number];

/** At most this many of each kind: a search box shows the best few, the lists page through the rest. */
export const SEARCH_LIMIT = 10;

/** Where each kind is searched: the service's own list route, which applies the caller's visibility. */
const SEARCH_PATHS: Record<SearchType, string> = {
  contacts: '/api/contacts',
  customers: '/api/customers',
  deals: '/api/deals',
  leads: '/api/leads',
};

export class SearchQuery {
  @ApiProperty({ description: 'Case-insensitive substring' })
  @RequiredText(200)
  readonly q: string;

  @ApiPropertyOptional({ description: 'Comma-separated: contacts,customers,deals,leads (all when left out)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((type) => type.trim()) : value))
  @IsArray()
  @IsIn(SEARCH_TYPES, { each: true })
  readonly types?: SearchType[];
}

type Lists = Partial<Record<SearchType, unknown[]>>;

/**
 * The gateway's own composed answers, built on FanOut: the services are asked in parallel with
 * the caller's token, and a service that does not answer leaves its part empty and is named in
 * `meta.degraded` instead of failing the whole answer.
 */
@ApiTags('gateway')
@ApiBearerAuth()
@Controller('api')
export class CompositionController {
  constructor(private readonly fanOut: FanOut) {}

  @Get('search')
  async search(
    @Query() query: SearchQuery,
    @Req() request: FastifyRequest,
  ): Promise<WithMeta<Lists, { degraded: string[] }>> {
    const types = query.types ?? [...SEARCH_TYPES];
    const params = new URLSearchParams({ search: query.q, limit: String(SEARCH_LIMIT) }).toString();
    const calls = Object.fromEntries(
      types.map((type) => [type, { path: `${SEARCH_PATHS[type]}?${params}` }]),
    );
    const { data, degraded } = await this.fanOut.call(calls, context(request));
    const lists: Lists = {};
    for (const type of SEARCH_TYPES)
      lists[type] = types.includes(type) ? ((data[type] as unknown[]) ?? []) : [];
    return new WithMeta(lists, { degraded });
  }

  @Get('dashboard/summary')
  async summary(@Req() request: FastifyRequest): Promise<WithMeta<DashboardSummary, { degraded: string[] }>> {
    const { data, degraded } = await this.fanOut.call(
      {
        contacts: { path: '/api/contacts/stats' },
        forecast: { path: '/api/deals/forecast' },
        stageStats: { path: '/api/deals/stage-stats' },
        leads: { path: '/api/leads/stats' },
      },
      context(request),
    );
    return new WithMeta(
      {
        contacts: data.contacts ?? null,
        deals: { forecast: data.forecast ?? null, stageStats: data.stageStats ?? null },
        leads: data.leads ?? null,
      },
      { degraded },
    );
  }
}

export interface DashboardSummary {
  contacts: unknown;
  deals: { forecast: unknown; stageStats: unknown };
  leads: unknown;
}

function context(request: FastifyRequest): { authorization?: string; requestId: string } {
  return {
    requestId: String(request.id),
    ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
  };
}
