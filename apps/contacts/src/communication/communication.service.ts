import { type Principal } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import { CommunicationLogged } from '@flow-crm/contracts';
import { newId } from '@flow-crm/db';
import { Page, pageWindow, ValidationError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ContactsService } from '../contacts/contacts.service';
import { CommunicationEvent } from './communication-event.entity';
import { type CommunicationResponse, toCommunicationResponse } from './communication.mapper';
import { type ListCommunicationQuery, type LogCommunicationDto } from './dto/communication.dto';

/** Clocks disagree a little: an event "now" on the client may be slightly ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The communication log of a contact; logging moves the contact's `lastContactAt` forward. */
@Injectable()
export class CommunicationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly contacts: ContactsService,
  ) {}

  async log(
    principal: Principal,
    contactId: string,
    dto: LogCommunicationDto,
  ): Promise<CommunicationResponse> {
    const occurredAt = new Date(dto.occurredAt);
    if (occurredAt.getTime() > Date.now() + CLOCK_SKEW_MS)
      throw ValidationError.of('occurredAt', 'occurredAt must not be in the future');
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.contacts.findVisible(manager, principal, contactId, true);
      const event = await manager.save(
        manager.create(CommunicationEvent, {
          id: newId(),
          organizationId: contact.organizationId,
          contactId: contact.id,
          userId: principal.userId,
          type: dto.type,
          occurredAt,
          subject: dto.subject ?? null,
          summary: dto.summary,
          sentiment: dto.sentiment ?? null,
        }),
      );
      // An older event logged late does not move the last contact back.
      await manager.query(
        'UPDATE contacts SET last_contact_at = GREATEST(last_contact_at, $2) WHERE id = $1',
        [contact.id, occurredAt],
      );
      await this.outbox.publish(manager, CommunicationLogged, {
        organizationId: contact.organizationId,
        aggregateId: event.id,
        aggregateVersion: 1,
        actorId: principal.userId,
        data: {
          id: event.id,
          organizationId: event.organizationId,
          contactId: event.contactId,
          type: event.type,
          occurredAt: event.occurredAt.toISOString(),
          subject: event.subject,
          summary: event.summary,
        },
      });
      return toCommunicationResponse(event);
    });
  }

  async list(
    principal: Principal,
    contactId: string,
    query: ListCommunicationQuery,
  ): Promise<Page<CommunicationResponse>> {
    const contact = await this.contacts.findVisible(this.dataSource.manager, principal, contactId);
    const [events, total] = await this.dataSource.getRepository(CommunicationEvent).findAndCount({
      where: { contactId: contact.id, ...(query.type ? { type: query.type } : {}) },
      order: { occurredAt: 'DESC', id: 'DESC' },
      ...pageWindow(query),
    });
    return Page.of(events.map(toCommunicationResponse), total, query);
  }
}
