import { type EntityManager } from 'typeorm';
import { Contact } from './contact.entity';

/** The organization's live contact with this email, in any case (the unique index's key). */
export function liveContactWithEmail(
  manager: EntityManager,
  organizationId: string,
  email: string,
  options: { lock?: boolean } = {},
): Promise<Contact | null> {
  const query = manager
    .getRepository(Contact)
    .createQueryBuilder('contact')
    .where('contact.organizationId = :organizationId', { organizationId })
    .andWhere('lower(contact.email) = lower(:email)', { email });
  return (options.lock ? query.setLock('pessimistic_write') : query).getOne();
}
