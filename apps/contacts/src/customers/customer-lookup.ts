import { ValidationError } from '@flow-crm/http';
import { IsNull, type EntityManager } from 'typeorm';
import { Customer } from './customer.entity';

/**
 * A customer a record may point at: live and of the same organization. It need not be visible
 * to the caller: a sales user links its contacts to accounts that others own.
 */
export async function assertLinkableCustomer(
  manager: EntityManager,
  organizationId: string,
  customerId: string,
  field = 'customerId',
): Promise<Customer> {
  const customer = await manager.findOneBy(Customer, { id: customerId, organizationId, deletedAt: IsNull() });
  if (!customer) throw ValidationError.of(field, `${field} must be a customer of the organization`);
  return customer;
}
