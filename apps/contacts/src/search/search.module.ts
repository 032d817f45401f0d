import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { CustomersModule } from '../customers/customers.module';
import { SearchController } from './search.controller';

@Module({
  imports: [ContactsModule, CustomersModule],
  controllers: [SearchController],
})
export class SearchModule {}
