import { findVisible, findVisibleOrFail, type Principal, ownerFor, scopeQuery } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import { ContactCreated, ContactDeleted, ContactUpdated } from '@flow-crm/contracts';
import {
  applyConditions,
  applyOrder,
  generationsTable,
  KeptTotals,
  newId,
  refuseDuplicate,
} from '@flow-crm/db';
import {
  ConflictError,
  normalizeTags,
  NotFoundError,
  Page,
  pageWindow,
  ValidationError,
} from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { CommunicationEvent } from '../communication/communication-event.entity';
import { toCommunicationResponse, type CommunicationResponse } from '../communication/communication.mapper';
import { assertLinkableCustomer } from '../customers/customer-lookup';
import { Customer } from '../customers/customer.entity';
import { TagCatalog } from '../tags/tag-catalog';
import { liveContactWithEmail } from './contact-lookup';
import { ContactMerger } from './contact-merger';
import { contactInsights, type ContactInsight } from './contact-insights';
import { criteriaConditions, type ContactCriteria, filterCondition, sortTerms } from './contact-query';
import { Contact } from './contact.entity';
import { contactEvent, type ContactResponse, toContactResponse } from './contact.mapper';
import { type ContactChanges, type CreateContactDto } from './dto/contact.dto';
import { type ListContactsQuery } from './dto/list-contacts.query';

const RECENT_COMMUNICATION = 10;
const EMAIL_KEY = 'contacts_email_key';

export interface ContactDetail extends ContactResponse {
  recentCommunication: CommunicationResponse[];
  customer: { id: string; name: string; type: string; industry: string | null } | null;
}

export interface ContactStats {
  total: number;
  highValue: number;
  atRisk: number;
  needsFollowUp: number;
}

/** Contacts: the people a team sells to. Every change publishes its event through the outbox. */
@Injectable()
export class ContactsService {
  /** Totals of contact lists, kept per generation (the triggers of the contacts table keep it). */
  private readonly totals = new KeptTotals(generationsTable('contacts'));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly tagCatalog: TagCatalog,
    private readonly merger: ContactMerger,
  ) {}

  async list(principal: Principal, query: ListContactsQuery): Promise<Page<ContactResponse>> {
    const builder = await this.query(principal, query);
    const [contacts, total] = await this.totals.readPage(
      builder,
      principal.organizationId,
      pageWindow(query),
    );
    return Page.of(contacts.map(toContactResponse), total, query);
  }

  /** The first contacts a search finds, in the list's default order: the page alone, without its total. */
  async search(principal: Principal, search: string, limit: number): Promise<ContactResponse[]> {
    const contacts = await (await this.query(principal, { search })).limit(limit).getMany();
    return contacts.map(toContactResponse);
  }

  /**
   * The contacts a list query selects, scoped to the caller and in the list's order, as a query
   * to read all at once (the export streams it).
   */
  async query(principal: Principal, criteria: ContactCriteria & { sort?: ListContactsQuery['sort'] }) {
    const builder = this.dataSource.getRepository(Contact).createQueryBuilder('contact');
    const tag =
      criteria.tag &&
      (await this.tagCatalog.spelling(this.dataSource.manager, principal.organizationId, criteria.tag));
    // To the minute: "the last 7 days" need not move every millisecond, and its totals can be kept.
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    applyConditions(builder, criteriaConditions({ ...criteria, tag }, now));
    return applyOrder(scopeQuery(builder, 'contact', principal), sortTerms(criteria.sort));
  }

  async get(principal: Principal, id: string): Promise<ContactDetail> {
    const manager = this.dataSource.manager;
    const contact = await this.findVisible(manager, principal, id);
    const [communication, customer] = await Promise.all([
      manager.find(CommunicationEvent, {
        where: { contactId: contact.id },
        order: { occurredAt: 'DESC', id: 'DESC' },
        take: RECENT_COMMUNICATION,
      }),
      contact.customerId
        ? manager.findOneBy(Customer, { id: contact.customerId, deletedAt: IsNull() })
        : Promise.resolve(null),
    ]);
    return {
      ...toContactResponse(contact),
      recentCommunication: communication.map(toCommunicationResponse),
      customer: customer
        ? { id: customer.id, name: customer.name, type: customer.type, industry: customer.industry }
        : null,
    };
  }

  async create(principal: Principal, dto: CreateContactDto): Promise<ContactResponse> {
    return this.refusingTakenEmail(principal, dto.email, () =>
      this.dataSource.transaction(async (manager) => {
        const tags = await this.registerTags(manager, principal, dto.tags);
        const contact = manager.create(Contact, {
          id: newId(),
          organizationId: principal.organizationId,
          ownerId: ownerFor(principal, dto.ownerId),
          name: dto.name,
        });
        await this.apply(manager, principal, contact, { ...dto, tags });
        const saved = await manager.save(contact);
        await this.publish(manager, principal, ContactCreated, saved);
        return toContactResponse(saved);
      }),
    );
  }

  async update(principal: Principal, id: string, dto: ContactChanges): Promise<ContactResponse> {
    return this.refusingTakenEmail(principal, dto.email, () =>
      this.dataSource.transaction(async (manager) => {
        const tags = await this.registerTags(manager, principal, dto.tags);
        const contact = await this.findVisible(manager, principal, id, true);
        await this.apply(manager, principal, contact, { ...dto, tags });
        const saved = await manager.save(contact);
        await this.publish(manager, principal, ContactUpdated, saved);
        return toContactResponse(saved);
      }),
    );
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const contact = await this.findVisible(manager, principal, id, true);
      contact.deletedAt = new Date();
      const saved = await manager.save(contact);
      await this.publish(manager, principal, ContactDeleted, saved);
    });
  }

  async stats(principal: Principal): Promise<ContactStats> {
    const now = new Date();
    const builder = this.dataSource
      .getRepository(Contact)
      .createQueryBuilder('contact')
      .select('count(*)', 'total');
    for (const [key, filter] of [
      ['highValue', 'high-value'],
      ['atRisk', 'at-risk'],
      ['needsFollowUp', 'needs-follow-up'],
    ] as const) {
      const condition = filterCondition(filter, now);
      builder.addSelect(`count(*) FILTER (WHERE ${condition.sql})`, key).setParameters(condition.params);
    }
    const row = await scopeQuery(builder, 'contact', principal).getRawOne<
      Record<keyof ContactStats, string>
    >();
    return {
      total: Number(row?.total ?? 0),
      highValue: Number(row?.highValue ?? 0),
      atRisk: Number(row?.atRisk ?? 0),
      needsFollowUp: Number(row?.needsFollowUp ?? 0),
    };
  }

  async insights(principal: Principal, id: string): Promise<ContactInsight[]> {
    return contactInsights(await this.findVisible(this.dataSource.manager, principal, id), new Date());
  }

  async addTag(principal: Principal, id: string, tag: string): Promise<ContactResponse> {
    return this.dataSource.transaction(async (manager) => {
      const [spelled] = await this.tagCatalog.register(manager, principal.organizationId, [tag]);
      const contact = await this.findVisible(manager, principal, id, true);
      contact.tags = normalizeTags([...contact.tags, spelled!]);
      return toContactResponse(await manager.save(contact));
    });
  }

  async removeTag(principal: Principal, id: string, tag: string): Promise<ContactResponse> {
    return this.dataSource.transaction(async (manager) => {
      const contact = await this.findVisible(manager, principal, id, true);
      const key = tag.trim().toLowerCase();
      contact.tags = contact.tags.filter((t) => t.toLowerCase() !== key);
      return toContactResponse(await manager.save(contact));
    });
  }

  /**
   * Merges `sourceId` into `targetId`: the target keeps its values and takes the source's where
   * it has none, unites the tags, takes over the communication and the deals; the source is
   * deleted. Other services learn it from `contacts.contact.merged` and re-point their references.
   */
  async merge(principal: Principal, targetId: string, sourceId: string): Promise<ContactResponse> {
    if (targetId === sourceId) throw ValidationError.of('sourceId', 'a contact cannot be merged into itself');
    return this.dataSource.transaction(async (manager) => {
      // Both rows locked in id order, so that two opposite merges cannot deadlock.
      const [first, second] = [targetId, sourceId].sort();
      const locked = new Map<string, Contact | null>();
      for (const id of [first!, second!])
        locked.set(id, await findVisible(manager, Contact, principal, id, { lock: true }));
      const target = locked.get(targetId);
      const source = locked.get(sourceId);
      if (!target) throw new NotFoundError('Contact');
      if (!source) throw ValidationError.of('sourceId', 'sourceId must be a contact you can see');
      return toContactResponse(await this.merger.merge(manager, target, source, principal.userId));
    });
  }

  findVisible(manager: EntityManager, principal: Principal, id: string, lock = false): Promise<Contact> {
    return findVisibleOrFail(manager, Contact, principal, id, 'Contact', { lock });
  }

  /** Applies a validated body (its tags already registered): references checked. */
  private async apply(
    manager: EntityManager,
    principal: Principal,
    contact: Contact,
    changes: ContactChanges,
  ): Promise<void> {
    const { ownerId, customerId, tags, nextFollowUpAt, ...fields } = changes;
    if (customerId) await assertLinkableCustomer(manager, principal.organizationId, customerId);
    if (changes.email) await this.assertEmailFree(manager, principal, changes.email, contact.id);
    for (const [field, value] of Object.entries(fields))
      if (value !== undefined) Object.assign(contact, { [field]: value });
    if (customerId !== undefined) contact.customerId = customerId;
    if (nextFollowUpAt !== undefined)
      contact.nextFollowUpAt = nextFollowUpAt ? new Date(nextFollowUpAt) : null;
    if (ownerId !== undefined) contact.ownerId = ownerFor(principal, ownerId);
    if (tags !== undefined) contact.tags = tags;
  }

  /** The catalog's spelling of the body's tags, registered before the record is locked. */
  private async registerTags(
    manager: EntityManager,
    principal: Principal,
    tags: string[] | undefined,
  ): Promise<string[] | undefined> {
    return tags && this.tagCatalog.register(manager, principal.organizationId, tags);
  }

  private async assertEmailFree(manager: EntityManager, principal: Principal, email: string, id: string) {
    const existing = await liveContactWithEmail(manager, principal.organizationId, email);
    if (existing && existing.id !== id) throw emailTaken(existing.id);
  }

  /** Two writers with the same new email can both pass the check; the unique index stops the second. */
  private refusingTakenEmail<T>(
    principal: Principal,
    email: string | null | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    return refuseDuplicate(
      EMAIL_KEY,
      async () =>
        emailTaken(
          email
            ? (await liveContactWithEmail(this.dataSource.manager, principal.organizationId, email))?.id
            : undefined,
        ),
      work,
    );
  }

  private async publish(
    manager: EntityManager,
    principal: Principal,
    definition: typeof ContactCreated | typeof ContactUpdated | typeof ContactDeleted,
    contact: Contact,
  ): Promise<void> {
    await this.outbox.publish(manager, definition, contactEvent(contact, principal.userId));
  }
}

export function emailTaken(existingId: string | undefined): ConflictError {
  return new ConflictError(
    'A contact with this email already exists',
    existingId ? { existingId } : undefined,
  );
}
