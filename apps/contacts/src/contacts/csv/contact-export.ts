import { type Principal } from '@flow-crm/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { streamCsv } from '@flow-crm/db';
import { type Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { ContactsService } from '../contacts.service';
import { type ListContactsQuery } from '../dto/list-contacts.query';

/** The export's columns: the import's first (a file exported can be imported again), then the rest. */
export const EXPORT_COLUMNS = [
  ['name', 'contact.name'],
  ['email', 'contact.email'],
  ['phone', 'contact.phone'],
  ['company', 'contact.company'],
  ['title', 'contact.title'],
  ['tags', "array_to_string(contact.tags, ';')"],
  ['id', 'contact.id'],
  ['customerId', 'contact.customer_id'],
  ['ownerId', 'contact.owner_id'],
  ['relationshipHealth', 'contact.relationship_health'],
  ['healthScore', 'contact.health_score'],
  ['sentiment', 'contact.sentiment'],
  ['churnRisk', 'contact.churn_risk'],
  ['lastContactAt', 'contact.last_contact_at'],
  ['nextFollowUpAt', 'contact.next_follow_up_at'],
  ['totalDealsCount', 'contact.total_deals_count'],
  ['totalDealsValue', 'contact.total_deals_value'],
  ['createdAt', 'contact.created_at'],
  ['updatedAt', 'contact.updated_at'],
] as const;

/** Streams the contacts a list query selects as CSV (see streamCsv). */
@Injectable()
export class ContactExport {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contacts: ContactsService,
  ) {}

  async stream(principal: Principal, query: ListContactsQuery): Promise<Readable> {
    return streamCsv(this.dataSource, await this.contacts.query(principal, query), EXPORT_COLUMNS);
  }
}
