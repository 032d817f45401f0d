import { type Principal } from '@flow-crm/auth';
import { aggregateEvent, Outbox } from '@flow-crm/bus';
import { LeadCreated } from '@flow-crm/contracts';
import { checkRecord, type CsvFailure, readCsv } from '@flow-crm/http';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Readable } from 'node:stream';
import { DataSource, type EntityManager } from 'typeorm';
import { PIPELINE_CONFIG, type PipelineConfig } from '../../config';
import { CreateLeadDto } from '../dto/lead.dto';
import { nextLeadNumbers } from '../lead-number';
import { Lead } from '../lead.entity';
import { leadSnapshot } from '../lead.mapper';
import { newLead } from '../new-lead';

const BATCH_SIZE = 500;

/** The columns an import reads; others are ignored. `tags` are `;`-separated. */
export const LEAD_IMPORT_COLUMNS = ['name', 'email', 'phone', 'company', 'title', 'source', 'tags'] as const;

export interface LeadImportReport {
  imported: number;
  /** Rows not imported, by the row a spreadsheet shows them on (the header is row 1). */
  failed: CsvFailure[];
}

interface PendingLead {
  readonly row: number;
  readonly dto: CreateLeadDto;
}

/**
 * CSV import of leads, streamed and written in batches of 500 in one transaction, like contacts'.
 * A row fails on the rules of `POST /api/leads`; a row whose email a live lead of the
 * organization already has (or an earlier row of the file) is reported, not imported: a lead is a
 * prospect to qualify once, and merging leads is a decision for a person.
 */
@Injectable()
export class LeadImport {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PIPELINE_CONFIG) private readonly config: PipelineConfig,
    private readonly outbox: Outbox,
  ) {}

  async run(principal: Principal, body: Readable): Promise<LeadImportReport> {
    const report: LeadImportReport = { imported: 0, failed: [] };
    const rows = readCsv(body, {
      maxBytes: this.config.IMPORT_MAX_BYTES,
      maxRows: this.config.IMPORT_MAX_ROWS,
      required: 'name',
      unreadable: report.failed,
    });
    await this.dataSource.transaction(async (manager) => {
      const emails = new Map<string, string>();
      let batch: PendingLead[] = [];
      for await (const { record, row } of rows) {
        const result = checkRecord(
          CreateLeadDto,
          {
            name: record.name ?? '',
            email: record.email,
            phone: record.phone,
            company: record.company,
            title: record.title,
            source: record.source,
            tags: (record.tags ?? '').split(';').filter((tag) => tag.trim() !== ''),
          },
          Object.fromEntries(LEAD_IMPORT_COLUMNS.map((column) => [column, record[column]])),
        );
        if (!result.ok) report.failed.push({ row, errors: result.errors });
        else batch.push({ row, dto: result.value });
        if (batch.length >= BATCH_SIZE) {
          report.imported += await this.write(manager, principal, batch, emails, report);
          batch = [];
        }
      }
      report.imported += await this.write(manager, principal, batch, emails, report);
    });
    report.failed.sort((a, b) => a.row - b.row);
    return report;
  }

  private async write(
    manager: EntityManager,
    principal: Principal,
    batch: readonly PendingLead[],
    seen: Map<string, string>,
    report: LeadImportReport,
  ): Promise<number> {
    if (batch.length === 0) return 0;
    await this.loadExisting(manager, principal.organizationId, batch, seen);
    const accepted: PendingLead[] = [];
    for (const pending of batch) {
      const email = pending.dto.email?.toLowerCase();
      const holder = email ? seen.get(email) : undefined;
      if (holder) {
        report.failed.push({
          row: pending.row,
          errors: [{ field: 'email', message: `a lead with this email exists (${holder})` }],
        });
        continue;
      }
      accepted.push(pending);
      if (email) seen.set(email, `row ${pending.row}`);
    }
    if (accepted.length === 0) return 0;
    const numbers = await nextLeadNumbers(manager, principal.organizationId, accepted.length);
    const leads = accepted.map(({ dto }, i) =>
      newLead(principal.organizationId, principal.userId, numbers[i]!, dto),
    );
    await manager.insert(Lead, leads);
    await this.outbox.publishMany(
      manager,
      LeadCreated,
      leads.map((lead) => aggregateEvent(lead, principal.userId, leadSnapshot(lead))),
    );
    return leads.length;
  }

  /** The lead numbers of live leads of the organization with the batch's emails. */
  private async loadExisting(
    manager: EntityManager,
    organizationId: string,
    batch: readonly PendingLead[],
    seen: Map<string, string>,
  ): Promise<void> {
    const emails = [
      ...new Set(
        batch.map((p) => p.dto.email?.toLowerCase()).filter((e): e is string => !!e && !seen.has(e)),
      ),
    ];
    if (emails.length === 0) return;
    const rows: { email: string; lead_number: string }[] = await manager.query(
      `SELECT lower(email) AS email, lead_number FROM leads
       WHERE organization_id = $1 AND deleted_at IS NULL AND lower(email) = ANY($2::text[])`,
      [organizationId, emails],
    );
    for (const row of rows) seen.set(row.email, row.lead_number);
  }
}
