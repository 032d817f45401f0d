import { type Principal } from '@flow-crm/auth';
import { streamCsv } from '@flow-crm/db';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { type ListLeadsQuery } from '../dto/list-leads.query';
import { LeadsService } from '../leads.service';

/** The export's columns: the import's first (a file exported can be imported again), then the rest. */
export const LEAD_EXPORT_COLUMNS = [
  ['name', 'lead.name'],
  ['email', 'lead.email'],
  ['phone', 'lead.phone'],
  ['company', 'lead.company'],
  ['title', 'lead.title'],
  ['source', 'lead.source'],
  ['tags', "array_to_string(lead.tags, ';')"],
  ['leadNumber', 'lead.lead_number'],
  ['status', 'lead.status'],
  ['score', 'lead.score'],
  ['rating', 'lead.rating'],
  ['estimatedValue', 'lead.estimated_value'],
  ['ownerId', 'lead.owner_id'],
  ['id', 'lead.id'],
  ['convertedAt', 'lead.converted_at'],
  ['createdAt', 'lead.created_at'],
  ['updatedAt', 'lead.updated_at'],
] as const;

/** Streams the leads a list query selects as CSV (see streamCsv). */
@Injectable()
export class LeadExport {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly leads: LeadsService,
  ) {}

  stream(principal: Principal, query: ListLeadsQuery): Promise<Readable> {
    return streamCsv(this.dataSource, this.leads.query(principal, query), LEAD_EXPORT_COLUMNS);
  }
}
