import { CommaSeparated, MAX_SEARCH_LIMIT, RequiredText, WithMeta } from '@flow-crm/http';
import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { type FastifyRequest } from 'fastify';
import { FanOut, type FanOutCall } from './fan-out';

export const SEARCH_TYPES = ['contacts', 'customers', 'deals', 'leads'] as const;
type SearchType = (typeof SEARCH_TYPES)[number];

/**
 * Which service searches which kinds: each answers all of its kinds in one call at its own
 * `/search`, with the caller's visibility and the order of its lists' search.
 */
const SEARCHED_BY: Record<string, readonly SearchType[]> = {
  contacts: ['contacts', 'customers'],
  pipeline: ['deals', 'leads'],
};

export class SearchQuery {
  @ApiProperty({ description: 'Case-insensitive substring' })
  @RequiredText(200)
  readonly q: string;

  @ApiPropertyOptional({ description: 'Comma-separated: contacts,customers,deals,leads (all when left out)' })
  @IsOptional()
  @CommaSeparated(SEARCH_TYPES)
  readonly types?: SearchType[];
}

type Lists = Record<SearchType, unknown[]>;

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
    const types = query.types ?? SEARCH_TYPES;
    const calls: Record<string, FanOutCall> = {};
    for (const [service, kinds] of Object.entries(SEARCHED_BY)) {
      const asked = kinds.filter((kind) => types.includes(kind));
      if (asked.length === 0) continue;
      const params = new URLSearchParams({
        q: query.q,
        types: asked.join(','),
        limit: String(MAX_SEARCH_LIMIT),
      });
      calls[service] = { service, path: `/search?${params}` };
    }
    const { data, degraded } = await this.fanOut.call(calls, context(request));
    const lists = {} as Lists;
    for (const [service, kinds] of Object.entries(SEARCHED_BY)) {
      const part = data[service] as Partial<Lists> | undefined;
      for (const kind of kinds) lists[kind] = part?.[kind] ?? [];
    }
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
