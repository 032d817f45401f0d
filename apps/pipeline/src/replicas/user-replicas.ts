import { type UserSnapshot } from '@flow-crm/contracts';
import { upsertNewer } from '@flow-crm/db';
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

  async isActiveMember(manager: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    return (await manager.countBy(UserReplica, { id: userId, organizationId, isActive: true })) > 0;
  }
}
