import { findVisibleOrFail, type Principal, ownerFor, scopeQuery, visibleTo } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import { ContactUpdated, CustomerCreated, CustomerDeleted, CustomerUpdated } from '@flow-crm/contracts';
import {
  applyConditions,
  applyOrder,
  containsPattern,
  newId,
  orderTerms,
  readPage,
  tagCondition,
} from '@flow-crm/db';
import { ConflictError, Page, type PaginationQuery, pageWindow } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { Contact } from '../contacts/contact.entity';
import { contactEvent } from '../contacts/contact.mapper';
import { TagCatalog } from '../tags/tag-catalog';
import { assertLinkableCustomer } from './customer-lookup';
import { Customer } from './customer.entity';
import {
  type CustomerResponse,
  type CustomerSummary,
  toCustomerResponse,
  customerEvent,
  toCustomerSummary,
} from './customer.mapper';
import { CUSTOMER_SORTING } from './customer-sorting';
import { type CreateCustomerDto, type ListCustomersQuery, type UpdateCustomerDto } from './dto/customer.dto';
import { assertNoCycle, buildTree, type TreeNode } from './hierarchy';

/** What a list selects, besides its page. */
type CustomerCriteria = Omit<ListCustomersQuery, keyof PaginationQuery>;

/** A hierarchy deeper than this is a data error, not an organization chart. */
const MAX_DEPTH = 50;

export interface CustomerHierarchy {
  ancestors: CustomerSummary[];
  customer: CustomerSummary;
  children: TreeNode<CustomerSummary>[];
}

/** Customers (accounts) and their hierarchy. */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly tagCatalog: TagCatalog,
  ) {}

  async list(principal: Principal, query: ListCustomersQuery): Promise<Page<CustomerResponse>> {
    const [customers, total] = await readPage(await this.query(principal, query), pageWindow(query));
    return Page.of(customers.map(toCustomerResponse), total, query);
  }

  /** The first customers a search finds, in the list's default order: the page alone, without its total. */
  async search(principal: Principal, search: string, limit: number): Promise<CustomerResponse[]> {
    const customers = await (await this.query(principal, { search })).limit(limit).getMany();
    return customers.map(toCustomerResponse);
  }

  /** The customers a list query selects, scoped to the caller, in the list's order. */
  private async query(principal: Principal, criteria: CustomerCriteria) {
    const builder = this.dataSource.getRepository(Customer).createQueryBuilder('customer');
    if (criteria.search)
      builder.andWhere('lower(customer.name) LIKE :search', { search: containsPattern(criteria.search) });
    if (criteria.type) builder.andWhere('customer.type = :type', { type: criteria.type });
    if (criteria.status) builder.andWhere('customer.status = :status', { status: criteria.status });
    if (criteria.tier) builder.andWhere('customer.tier = :tier', { tier: criteria.tier });
    if (criteria.industry)
      builder.andWhere('lower(customer.industry) = lower(:industry)', { industry: criteria.industry });
    if (criteria.parentId)
      builder.andWhere('customer.parent_id = :parentId', { parentId: criteria.parentId });
    if (criteria.ownerId) builder.andWhere('customer.owner_id = :ownerId', { ownerId: criteria.ownerId });
    if (criteria.tag) {
      const tag = await this.tagCatalog.spelling(
        this.dataSource.manager,
        principal.organizationId,
        criteria.tag,
      );
      applyConditions(builder, tagCondition('customer', tag));
    }
    return applyOrder(
      scopeQuery(builder, 'customer', principal),
      orderTerms(criteria.sort ?? '-createdAt', CUSTOMER_SORTING),
    );
  }

  async get(principal: Principal, id: string): Promise<CustomerResponse> {
    return toCustomerResponse(await this.findVisible(this.dataSource.manager, principal, id));
  }

  async create(principal: Principal, dto: CreateCustomerDto): Promise<CustomerResponse> {
    return this.dataSource.transaction(async (manager) => {
      if (dto.parentId) await this.lockHierarchy(manager, principal);
      const tags = dto.tags && (await this.tagCatalog.register(manager, principal.organizationId, dto.tags));
      const customer = manager.create(Customer, {
        id: newId(),
        organizationId: principal.organizationId,
        ownerId: ownerFor(principal, dto.ownerId),
        name: dto.name,
      });
      await this.apply(manager, principal, customer, { ...dto, tags });
      const saved = await manager.save(customer);
      await this.publish(manager, principal, CustomerCreated, saved);
      return toCustomerResponse(saved);
    });
  }

  async update(principal: Principal, id: string, dto: UpdateCustomerDto): Promise<CustomerResponse> {
    return this.dataSource.transaction(async (manager) => {
      // The organization-wide locks before the row's, in every transaction, so that none deadlock.
      if (dto.parentId) await this.lockHierarchy(manager, principal);
      const tags = dto.tags && (await this.tagCatalog.register(manager, principal.organizationId, dto.tags));
      const customer = await this.findVisible(manager, principal, id, true);
      await this.apply(manager, principal, customer, { ...dto, tags });
      const saved = await manager.save(customer);
      await this.publish(manager, principal, CustomerUpdated, saved);
      return toCustomerResponse(saved);
    });
  }

  /**
   * Soft-deletes a customer that has no live child accounts (they must be moved or deleted
   * first); its contacts stay, no longer linked to it.
   */
  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Children are added under the same lock: none can appear between the count and the delete.
      await this.lockHierarchy(manager, principal);
      const customer = await this.findVisible(manager, principal, id, true);
      const children = await manager.countBy(Customer, { parentId: customer.id, deletedAt: IsNull() });
      if (children > 0)
        throw new ConflictError('The customer has child accounts; move or delete them first', { children });
      customer.deletedAt = new Date();
      const saved = await manager.save(customer);
      await this.publish(manager, principal, CustomerDeleted, saved);
      await this.unlinkContacts(manager, principal, customer.id);
    });
  }

  async contacts(principal: Principal, id: string, query: { page: number; limit: number }) {
    const customer = await this.findVisible(this.dataSource.manager, principal, id);
    const [contacts, total] = await this.dataSource.getRepository(Contact).findAndCount({
      where: { customerId: customer.id, ...visibleTo(principal) },
      order: { name: 'ASC', id: 'ASC' },
      ...pageWindow(query),
    });
    return { contacts, total };
  }

  /** The customer's ancestors (root first), itself, and the tree of its descendants. */
  async hierarchy(principal: Principal, id: string): Promise<CustomerHierarchy> {
    const manager = this.dataSource.manager;
    const customer = await this.findVisible(manager, principal, id);
    const ancestorIds = await this.ancestry(manager, customer.parentId);
    const descendants: Customer[] = await manager
      .getRepository(Customer)
      .createQueryBuilder('customer')
      .where(
        `customer.id IN (
           WITH RECURSIVE tree (id, depth) AS (
             SELECT id, 1 FROM customers WHERE parent_id = :root AND deleted_at IS NULL
             UNION ALL
             SELECT c.id, tree.depth + 1 FROM customers c JOIN tree ON c.parent_id = tree.id
             WHERE c.deleted_at IS NULL AND tree.depth < :maxDepth
           ) SELECT id FROM tree)`,
        { root: customer.id, maxDepth: MAX_DEPTH },
      )
      .orderBy('lower(customer.name)', 'ASC')
      .addOrderBy('customer.id', 'ASC')
      .getMany();
    const ancestors = ancestorIds.length
      ? await manager.getRepository(Customer).findBy(ancestorIds.map((ancestorId) => ({ id: ancestorId })))
      : [];
    const byId = new Map(ancestors.map((a) => [a.id, a]));
    return {
      ancestors: ancestorIds
        .reverse()
        .map((ancestorId) => byId.get(ancestorId))
        .filter((a): a is Customer => a !== undefined)
        .map(toCustomerSummary),
      customer: toCustomerSummary(customer),
      children: buildTree(customer.id, descendants.map(toCustomerSummary)),
    };
  }

  private findVisible(
    manager: EntityManager,
    principal: Principal,
    id: string,
    lock = false,
  ): Promise<Customer> {
    return findVisibleOrFail(manager, Customer, principal, id, 'Customer', { lock });
  }

  /** The ids above a customer, nearest first. */
  private async ancestry(manager: EntityManager, parentId: string | null): Promise<string[]> {
    if (!parentId) return [];
    const rows: { id: string }[] = await manager.query(
      `WITH RECURSIVE up (id, parent_id, depth) AS (
         SELECT id, parent_id, 1 FROM customers WHERE id = $1 AND deleted_at IS NULL
         UNION ALL
         SELECT c.id, c.parent_id, up.depth + 1 FROM customers c JOIN up ON c.id = up.parent_id
         WHERE c.deleted_at IS NULL AND up.depth < $2
       ) SELECT id FROM up ORDER BY depth`,
      [parentId, MAX_DEPTH],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Every id above (and including) `parentId`, however deep: UNION stops at a repeat, so even a
   * cycle already in the data ends the walk.
   */
  private async allAncestors(manager: EntityManager, parentId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `WITH RECURSIVE up (id, parent_id) AS (
         SELECT id, parent_id FROM customers WHERE id = $1
         UNION
         SELECT c.id, c.parent_id FROM customers c JOIN up ON c.id = up.parent_id
       ) SELECT id FROM up`,
      [parentId],
    );
    return rows.map((row) => row.id);
  }

  private async apply(
    manager: EntityManager,
    principal: Principal,
    customer: Customer,
    changes: UpdateCustomerDto,
  ): Promise<void> {
    const { ownerId, parentId, tags, ...fields } = changes;
    if (parentId) {
      await assertLinkableCustomer(manager, principal.organizationId, parentId, 'parentId');
      assertNoCycle(customer.id, parentId, await this.allAncestors(manager, parentId));
    }
    for (const [field, value] of Object.entries(fields))
      if (value !== undefined) Object.assign(customer, { [field]: value });
    if (parentId !== undefined) customer.parentId = parentId;
    if (ownerId !== undefined) customer.ownerId = ownerFor(principal, ownerId);
    if (tags !== undefined) customer.tags = tags;
  }

  /**
   * Serializes the organization's hierarchy changes (new parents, deletes): two concurrent moves
   * could each pass the cycle check and close a cycle together, and a child could be added under
   * a parent being deleted.
   */
  private async lockHierarchy(manager: EntityManager, principal: Principal): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `customers-tree:${principal.organizationId}`,
    ]);
  }

  private async unlinkContacts(
    manager: EntityManager,
    principal: Principal,
    customerId: string,
  ): Promise<void> {
    const contacts = await manager.find(Contact, {
      where: { customerId },
      lock: { mode: 'pessimistic_write' },
    });
    for (const contact of contacts) {
      contact.customerId = null;
      const saved = await manager.save(contact);
      await this.outbox.publish(manager, ContactUpdated, contactEvent(saved, principal.userId));
    }
  }

  private async publish(
    manager: EntityManager,
    principal: Principal,
    definition: typeof CustomerCreated | typeof CustomerUpdated | typeof CustomerDeleted,
    customer: Customer,
  ): Promise<void> {
    await this.outbox.publish(manager, definition, customerEvent(customer, principal.userId));
  }
}
