import { aggregateEvent, type NewEvent } from '@flow-crm/bus';
import { type CustomerSnapshot } from '@flow-crm/contracts';
import { type Address } from '../shared/address';
import { type Customer } from './customer.entity';

export interface CustomerResponse {
  id: string;
  organizationId: string;
  ownerId: string;
  parentId: string | null;
  name: string;
  legalName: string | null;
  industry: string | null;
  website: string | null;
  phone: string | null;
  email: string | null;
  type: string;
  status: string;
  tier: string | null;
  size: string | null;
  annualRevenue: number | null;
  employeeCount: number | null;
  healthScore: number | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  description: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

/** A customer where only its identity matters: hierarchy nodes, a contact's customer. */
export interface CustomerSummary {
  id: string;
  name: string;
  type: string;
  industry: string | null;
  tier: string | null;
  parentId: string | null;
}

export function toCustomerResponse(customer: Customer): CustomerResponse {
  return {
    id: customer.id,
    organizationId: customer.organizationId,
    ownerId: customer.ownerId,
    parentId: customer.parentId,
    name: customer.name,
    legalName: customer.legalName,
    industry: customer.industry,
    website: customer.website,
    phone: customer.phone,
    email: customer.email,
    type: customer.type,
    status: customer.status,
    tier: customer.tier,
    size: customer.size,
    annualRevenue: customer.annualRevenue,
    employeeCount: customer.employeeCount,
    healthScore: customer.healthScore,
    billingAddress: customer.billingAddress,
    shippingAddress: customer.shippingAddress,
    description: customer.description,
    tags: customer.tags,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
  };
}

export function toCustomerSummary(customer: Customer): CustomerSummary {
  return {
    id: customer.id,
    name: customer.name,
    type: customer.type,
    industry: customer.industry,
    tier: customer.tier,
    parentId: customer.parentId,
  };
}

export function toCustomerSnapshot(customer: Customer): CustomerSnapshot {
  return {
    id: customer.id,
    organizationId: customer.organizationId,
    ownerId: customer.ownerId,
    name: customer.name,
    type: customer.type,
    industry: customer.industry,
    parentId: customer.parentId,
  };
}

/** A `contacts.customer.*` event of the customer as it now is. */
export function customerEvent(customer: Customer, actorId: string | null): NewEvent<CustomerSnapshot> {
  return aggregateEvent(customer, actorId, toCustomerSnapshot(customer));
}
