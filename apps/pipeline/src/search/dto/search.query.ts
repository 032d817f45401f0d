import { searchQueryOf } from '@flow-crm/http';

export class SearchQuery extends searchQueryOf(['deals', 'leads'] as const) {}
