import { Module } from '@nestjs/common';
import { DealsModule } from '../deals/deals.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ContactsEventsController } from './contacts-events.controller';
import { IdentityEventsController } from './identity-events.controller';
import { TaggedRecords } from './tagged-records';

@Module({
  imports: [OrganizationsModule, DealsModule],
  controllers: [IdentityEventsController, ContactsEventsController],
  providers: [TaggedRecords],
})
export class EventsModule {}
