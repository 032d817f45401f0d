import { type UserSnapshot } from '@flow-crm/contracts';
import { ownerFor, type Principal } from '@flow-crm/auth';
import { upsertNewer } from '@flow-crm/db';
import { ValidationError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { UserReplica } from './user-replica.entity';

/** The users replica, kept from identity's events: who may own deals and leads. */
@Injectable()
export class UserReplicas {
  apply(manager: EntityManager, user: UserSnapshot, version: number): Promise<boolean> {
    return upsertNewer(manager, 'user_replicas', {
      id: user.id,
      organization_id: user.organizationId,
      name: user.name,
      email: user.email,
      role: user.role,
      is_active: user.isActive,
      aggregate_version: version,
    });
  }

  /** 422 unless `userId` is an active user of the organization: only those own deals and leads. */
  async assertActiveMember(manager: EntityManager, organizationId: string, userId: string): Promise<void> {
    if (!(await manager.existsBy(UserReplica, { id: userId, organizationId, isActive: true })))
      throw ValidationError.of('ownerId', 'ownerId must be an active user of the organization');
  }

  /**
   * The owner a write records (see ownerFor: a sales user's records are its own); one named by an
   * admin or a manager must be an active user of the organization.
   */
  async ownerFor(
    manager: EntityManager,
    principal: Principal,
    requested: string | undefined,
  ): Promise<string> {
    const owner = ownerFor(principal, requested);
    if (owner !== principal.userId) await this.assertActiveMember(manager, principal.organizationId, owner);
    return owner;
  }
}
