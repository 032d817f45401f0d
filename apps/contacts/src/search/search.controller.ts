import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type ContactResponse } from '../contacts/contact.mapper';
import { ContactsService } from '../contacts/contacts.service';
import { type CustomerResponse } from '../customers/customer.mapper';
import { CustomersService } from '../customers/customers.service';
import { SearchQuery } from './dto/search.query';

export interface SearchResults {
  contacts: ContactResponse[];
  customers: CustomerResponse[];
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
    private readonly contacts: ContactsService,
    private readonly customers: CustomersService,
  ) {}

  @Get()
  async search(
    @CurrentPrincipal() principal: Principal,
    @Query() query: SearchQuery,
  ): Promise<SearchResults> {
    const [contacts, customers] = await Promise.all([
      query.types.includes('contacts') ? this.contacts.search(principal, query.q, query.limit) : [],
      query.types.includes('customers') ? this.customers.search(principal, query.q, query.limit) : [],
    ]);
    return { contacts, customers };
  }
}
