import { inOrganization, type Principal } from '@flow-crm/auth';
import { aggregateEvent, Outbox } from '@flow-crm/bus';
import { UserCreated, UserDeactivated, UserUpdated } from '@flow-crm/contracts';
import { containsPattern, newId } from '@flow-crm/db';
import { ConflictError, NotFoundError, Page, pageWindow } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../sessions/sessions.service';
import { type CreateUserDto } from './dto/create-user.dto';
import { type ListUsersQuery } from './dto/list-users.query';
import { type UpdateProfileDto } from './dto/update-profile.dto';
import { type UpdateUserDto } from './dto/update-user.dto';
import { DEFAULT_PREFERENCES, User } from './user.entity';
import { toUserSnapshot } from './user.mapper';

export const EMAIL_TAKEN = 'An account with this e-mail already exists';

/** Users of an organization: administration by admins, and each user's own profile. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
  ) {}

  async list(principal: Principal, query: ListUsersQuery): Promise<Page<User>> {
    const builder = this.dataSource
      .getRepository(User)
      .createQueryBuilder('user')
      .where('user.organizationId = :organizationId', inOrganization(principal));
    if (query.role) builder.andWhere('user.role = :role', { role: query.role });
    if (query.isActive !== undefined)
      builder.andWhere('user.isActive = :isActive', { isActive: query.isActive });
    if (query.search) {
      const pattern = containsPattern(query.search);
      builder.andWhere(
        new Brackets((q) => q.where('lower(user.name) LIKE :pattern').orWhere('user.email LIKE :pattern')),
        { pattern },
      );
    }
    const { skip, take } = pageWindow(query);
    const [users, total] = await builder
      .orderBy('user.createdAt', 'ASC')
      .addOrderBy('user.id', 'ASC')
      .skip(skip)
      .take(take)
      .getManyAndCount();
    return Page.of(users, total, query);
  }

  async get(principal: Principal, id: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id, ...inOrganization(principal) });
    if (!user) throw new NotFoundError('User');
    return user;
  }

  /** Creates a user in the caller's organization (admin only, enforced by the controller). */
  async create(principal: Principal, dto: CreateUserDto): Promise<User> {
    const passwordHash = await this.hasher.hash(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const user = await this.insert(manager, {
        organizationId: principal.organizationId,
        email: dto.email,
        name: dto.name,
        role: dto.role,
        passwordHash,
      });
      await this.publish(manager, UserCreated, user, principal.userId);
      return user;
    });
  }

  /** Inserts a user; a taken e-mail is a 409, even when two requests race for it. */
  async insert(
    manager: EntityManager,
    fields: Pick<User, 'organizationId' | 'email' | 'name' | 'role' | 'passwordHash'>,
  ): Promise<User> {
    const taken = await manager.exists(User, { where: { email: fields.email } });
    if (taken) throw new ConflictError(EMAIL_TAKEN);
    const user = manager.create(User, {
      ...fields,
      id: newId(),
      avatarUrl: null,
      isActive: true,
      twoFactorEnabled: false,
      twoFactorSecret: null,
      twoFactorPendingSecret: null,
      twoFactorLastStep: null,
      preferences: { ...DEFAULT_PREFERENCES },
      lastLoginAt: null,
    });
    try {
      return await manager.save(user);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ConflictError(EMAIL_TAKEN);
      throw error;
    }
  }

  /**
   * Admin changes to a user. Demoting or deactivating the last active admin is refused: the
   * organization's active admins are locked first, so two such changes cannot both pass.
   */
  async update(principal: Principal, id: string, dto: UpdateUserDto): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      // Admins first, then the user: one lock order for every such change, so no deadlock.
      const admins =
        dto.role !== undefined || dto.isActive !== undefined
          ? await lockActiveAdmins(manager, principal.organizationId)
          : [];
      const user = await manager.findOne(User, {
        where: { id, ...inOrganization(principal) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User');
      const losesAdmin =
        user.role === 'admin' &&
        user.isActive &&
        ((dto.role && dto.role !== 'admin') || dto.isActive === false);
      if (losesAdmin && !admins.some((admin) => admin !== user.id)) {
        throw new ConflictError('The organization must keep at least one active admin');
      }

      const changed = changedFields(user, dto);
      if (changed.length === 0) return user;
      const deactivated = user.isActive && dto.isActive === false;
      Object.assign(user, pick(dto, changed));
      const saved = await manager.save(user);
      if (deactivated) await this.sessions.revokeAll(manager, user.id);
      await this.publish(
        manager,
        deactivated ? UserDeactivated : UserUpdated,
        saved,
        principal.userId,
        changed,
      );
      return saved;
    });
  }

  /** The caller's own profile (PUT /api/auth/me); preferences merge into the stored ones. */
  async updateProfile(principal: Principal, dto: UpdateProfileDto): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, {
        where: { id: principal.userId, ...inOrganization(principal) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User');
      const changed: string[] = [];
      if (dto.name !== undefined && dto.name !== user.name) changed.push('name');
      if (dto.avatarUrl !== undefined && dto.avatarUrl !== user.avatarUrl) changed.push('avatarUrl');
      if (dto.name !== undefined) user.name = dto.name;
      if (dto.avatarUrl !== undefined) user.avatarUrl = dto.avatarUrl;
      if (dto.preferences) user.preferences = { ...user.preferences, ...definedOnly(dto.preferences) };
      const saved = await manager.save(user);
      // Preferences are identity's own business; other services only replicate name and avatar.
      if (changed.length) await this.publish(manager, UserUpdated, saved, principal.userId, changed);
      return saved;
    });
  }

  async publish(
    manager: EntityManager,
    definition: typeof UserCreated | typeof UserUpdated | typeof UserDeactivated,
    user: User,
    actorId: string | null,
    changedFields: string[] = [],
  ): Promise<void> {
    const snapshot = toUserSnapshot(user);
    await this.outbox.publish(
      manager,
      definition as typeof UserUpdated,
      aggregateEvent(
        user,
        actorId,
        definition === UserUpdated ? { ...snapshot, changedFields } : (snapshot as never),
      ),
    );
  }
}

async function lockActiveAdmins(manager: EntityManager, organizationId: string): Promise<string[]> {
  const rows: { id: string }[] = await manager.query(
    `SELECT id FROM users WHERE organization_id = $1 AND role = 'admin' AND is_active ORDER BY id FOR UPDATE`,
    [organizationId],
  );
  return rows.map((row) => row.id);
}

function changedFields(user: User, dto: UpdateUserDto): (keyof UpdateUserDto)[] {
  return (['name', 'role', 'isActive'] as const).filter(
    (field) => dto[field] !== undefined && dto[field] !== user[field],
  );
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key]])) as Pick<T, K>;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
