import { Module } from '@nestjs/common';
import { DealsModule } from '../deals/deals.module';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { LeadSources } from './sources/lead-sources';

@Module({ imports: [DealsModule], controllers: [LeadsController], providers: [LeadsService, LeadSources] })
export class LeadsModule {}
