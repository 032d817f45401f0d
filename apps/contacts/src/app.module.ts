import { ConfigModule, PlatformModule } from '@flow-crm/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { CommunicationEvent } from './communication/communication-event.entity';
import { CommunicationModule } from './communication/communication.module';
import { CONTACTS_CONFIG, type ContactsConfig } from './config';
import { Contact } from './contacts/contact.entity';
import { ContactsModule } from './contacts/contacts.module';
import { Customer } from './customers/customer.entity';
import { CustomersModule } from './customers/customers.module';
import { Segment } from './customers/segments/segment.entity';
import { DealReplica } from './deals/deal-replica.entity';
import { EventsModule } from './events/events.module';
import { CreateContactsSchema1732200000000 } from './migrations/1732200000000-create-contacts-schema';
import { ShardContactGenerations1732300000000 } from './migrations/1732300000000-shard-contact-generations';
import { SearchModule } from './search/search.module';
import { Tag } from './tags/tag.entity';
import { TagsModule } from './tags/tags.module';

@Module({})
export class AppModule {
  static with(config: ContactsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          service: 'contacts',
          config,
          entities: [Contact, Customer, CommunicationEvent, Tag, Segment, DealReplica],
          migrations: [CreateContactsSchema1732200000000, ShardContactGenerations1732300000000],
        }),
        ConfigModule.provide(CONTACTS_CONFIG, config),
        ContactsModule,
        CommunicationModule,
        CustomersModule,
        TagsModule,
        SearchModule,
        EventsModule,
      ],
    };
  }
}
