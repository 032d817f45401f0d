import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { LeadConversions } from './lead-conversions';
import { PipelineEventsController } from './pipeline-events.controller';
import { ReplicaRequests } from './replica-requests';

@Module({
  imports: [ContactsModule],
  controllers: [PipelineEventsController],
  providers: [LeadConversions, ReplicaRequests],
})
export class EventsModule {}
