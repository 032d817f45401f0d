import { searchQueryOf } from '@flow-crm/http';

export class SearchQuery extends searchQueryOf(['contacts', 'customers'] as const) {}
