import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';
import { SegmentsController } from './segments/segments.controller';
import { SegmentsService } from './segments/segments.service';

@Module({
  imports: [ContactsModule],
  controllers: [SegmentsController, CustomersController],
  providers: [CustomersService, SegmentsService],
  exports: [CustomersService],
})
export class CustomersModule {}
