import { CsvBodyParser } from '@flow-crm/http';
import { Module } from '@nestjs/common';
import { DealTotals } from '../deals/deal-totals';
import { TagCatalog } from '../tags/tag-catalog';
import { ContactMerger } from './contact-merger';
import { ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';
import { ContactExport } from './csv/contact-export';
import { ContactImport } from './csv/contact-import';

@Module({
  controllers: [ContactsController],
  providers: [
    ContactsService,
    ContactMerger,
    ContactImport,
    ContactExport,
    CsvBodyParser,
    TagCatalog,
    DealTotals,
  ],
  exports: [ContactsService, ContactMerger, TagCatalog, DealTotals],
})
export class ContactsModule {}
