import { type Principal, isManagerial } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import { ContactCreated, ContactUpdated } from '@flow-crm/contracts';
import { newId } from '@flow-crm/db';
import { type FieldError, normalizeTags, readCsv } from '@flow-crm/http';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { CONTACTS_CONFIG, type ContactsConfig } from '../../config';
import { TagCatalog } from '../../tags/tag-catalog';
import { Contact } from '../contact.entity';
import { contactEvent } from '../contact.mapper';
import { type ImportRow, validateImportRow } from './import-row';

const BATCH_SIZE = 500;

export interface ImportReport {
  /** New contacts. */
  imported: number;
  /** Existing contacts (same email) completed with the row's values. */
  updated: number;
  /** Rows not imported, by the row a spreadsheet shows them on (the header is row 1), with their errors. */
  failed: { row: number; errors: FieldError[] }[];
}

/** What the batches of one import share: the contacts met so far by email, what was written. */
interface ImportState {
  readonly byEmail: Map<string, Contact>;
  readonly created: Set<string>;
  readonly updated: Set<string>;
}

interface PendingRow {
  readonly rowNumber: number;
  readonly row: ImportRow;
}

/**
 * CSV import, streamed: the body is parsed as it arrives and written in batches, so memory stays
 * flat up to the limits. A row that fails validation is reported and skipped; the good rows are
 * imported. A row whose email belongs to a live contact updates that contact (its empty fields
 * filled, tags united) instead of creating a duplicate. The whole import is one transaction: a
 * file over the limits, or a failure, imports nothing.
 */
@Injectable()
export class ContactImport {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
    private readonly outbox: Outbox,
    private readonly tagCatalog: TagCatalog,
  ) {}

  async run(principal: Principal, body: Readable): Promise<ImportReport> {
    const report: ImportReport = { imported: 0, updated: 0, failed: [] };
    const rows = readCsv(body, {
      maxBytes: this.config.IMPORT_MAX_BYTES,
      maxRows: this.config.IMPORT_MAX_ROWS,
      required: 'name',
      unreadable: report.failed,
    });
    await this.dataSource.transaction(async (manager) => {
      const state: ImportState = { byEmail: new Map(), created: new Set(), updated: new Set() };
      let batch: PendingRow[] = [];
      for await (const { record, row } of rows) {
        const result = validateImportRow(record);
        if (!result.ok) report.failed.push({ row, errors: result.errors });
        else batch.push({ rowNumber: row, row: result.row });
        if (batch.length >= BATCH_SIZE) {
          await this.write(manager, principal, batch, state, report);
          batch = [];
        }
      }
      await this.write(manager, principal, batch, state, report);
      report.imported = state.created.size;
      report.updated = [...state.updated].filter((id) => !state.created.has(id)).length;
    });
    report.failed.sort((a, b) => a.row - b.row);
    return report;
  }

  private async write(
    manager: EntityManager,
    principal: Principal,
    batch: readonly PendingRow[],
    state: ImportState,
    report: ImportReport,
  ): Promise<void> {
    if (batch.length === 0) return;
    const tags = await this.tagCatalog.register(
      manager,
      principal.organizationId,
      batch.flatMap((pending) => pending.row.tags),
    );
    const spelling = new Map(tags.map((tag) => [tag.toLowerCase(), tag]));
    const spelled = (names: string[]) => names.map((name) => spelling.get(name.toLowerCase()) ?? name);
    await this.loadExisting(manager, principal, batch, state.byEmail);

    const created: Contact[] = [];
    const updated = new Set<Contact>();
    for (const { rowNumber, row } of batch) {
      const key = row.email?.toLowerCase();
      const existing = key ? state.byEmail.get(key) : undefined;
      if (existing && !this.canChange(principal, existing)) {
        report.failed.push({
          row: rowNumber,
          errors: [{ field: 'email', message: 'email belongs to a contact of another owner' }],
        });
        continue;
      }
      if (existing) {
        for (const field of ['phone', 'company', 'title'] as const)
          if (!existing[field] && row[field]) existing[field] = row[field]!;
        existing.tags = normalizeTags([...existing.tags, ...spelled(row.tags)]);
        if (!created.includes(existing)) updated.add(existing);
        continue;
      }
      const contact = manager.create(Contact, {
        id: newId(),
        organizationId: principal.organizationId,
        ownerId: principal.userId,
        name: row.name,
        email: row.email ?? null,
        phone: row.phone ?? null,
        company: row.company ?? null,
        title: row.title ?? null,
        customerId: null,
        tags: spelled(row.tags),
        version: 1,
      });
      created.push(contact);
      if (key) state.byEmail.set(key, contact);
    }

    if (created.length > 0) await manager.insert(Contact, created);
    for (const contact of updated) await manager.save(contact);
    await this.outbox.publishMany(
      manager,
      ContactCreated,
      created.map((contact) => contactEvent(contact, principal.userId)),
    );
    await this.outbox.publishMany(
      manager,
      ContactUpdated,
      [...updated].map((contact) => contactEvent(contact, principal.userId)),
    );
    for (const contact of created) state.created.add(contact.id);
    for (const contact of updated) state.updated.add(contact.id);
  }

  private canChange(principal: Principal, contact: Contact): boolean {
    return isManagerial(principal) || contact.ownerId === principal.userId;
  }

  /** Live contacts of the organization with the batch's emails, locked for the import. */
  private async loadExisting(
    manager: EntityManager,
    principal: Principal,
    batch: readonly PendingRow[],
    seen: Map<string, Contact>,
  ): Promise<void> {
    const emails = [
      ...new Set(batch.map((p) => p.row.email?.toLowerCase()).filter((e): e is string => !!e)),
    ].filter((email) => !seen.has(email));
    if (emails.length === 0) return;
    const existing = await manager
      .getRepository(Contact)
      .createQueryBuilder('contact')
      .setLock('pessimistic_write')
      .where('contact.organizationId = :organizationId', { organizationId: principal.organizationId })
      .andWhere('lower(contact.email) = ANY(:emails)', { emails })
      .getMany();
    for (const contact of existing) seen.set(contact.email!.toLowerCase(), contact);
  }
}
