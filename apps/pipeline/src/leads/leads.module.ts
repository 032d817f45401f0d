import { CsvBodyParser } from '@flow-crm/http';
import { Module } from '@nestjs/common';
import { DealsModule } from '../deals/deals.module';
import { SearchController } from '../search/search.controller';
import { LeadExport } from './csv/lead-export';
import { LeadImport } from './csv/lead-import';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { LeadSources } from './sources/lead-sources';

@Module({
  imports: [DealsModule],
  // The search reads deals and leads, and this module is the one that has both.
  controllers: [LeadsController, SearchController],
  providers: [LeadsService, LeadSources, LeadImport, LeadExport, CsvBodyParser],
})
export class LeadsModule {}
