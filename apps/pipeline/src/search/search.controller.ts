import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type DealResponse } from '../deals/deal.mapper';
import { DealsService } from '../deals/deals.service';
import { type LeadResponse } from '../leads/lead.mapper';
import { LeadsService } from '../leads/leads.service';
import { SearchQuery } from './dto/search.query';

export interface SearchResults {
  deals: DealResponse[];
  leads: LeadResponse[];
}

/**
 * This service's part of the gateway's search: every kind asked for in one call, each the first
 * items of its list's search, without totals. Not under /api, so the gateway never forwards a
 * client to it; it answers only what the caller's token may see, as every route does.
 */
@ApiTags('search')
@ApiBearerAuth()
@Controller('search')
export class SearchController {
  constructor(
    private readonly deals: DealsService,
    private readonly leads: LeadsService,
  ) {}

  @Get()
  async search(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SearchQuery,
  ): Promise<SearchResults> {
    const [deals, leads] = await Promise.all([
      query.types.includes('deals') ? this.deals.search(principal, query.q, query.limit) : [],
      query.types.includes('leads') ? this.leads.search(principal, query.q, query.limit) : [],
    ]);
    return { deals, leads };
  }
}
