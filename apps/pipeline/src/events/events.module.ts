import { Module } from '@nestjs/common';
import { DealsModule } from '../deals/deals.module';
import { PipelinesModule } from '../pipelines/pipelines.module';
import { ContactsEventsController } from './contacts-events.controller';
import { IdentityEventsController } from './identity-events.controller';
import { TaggedRecords } from './tagged-records';

@Module({
  imports: [PipelinesModule, DealsModule],
  controllers: [IdentityEventsController, ContactsEventsController],
  providers: [TaggedRecords],
})
export class EventsModule {}
