import { newId } from '@flow-crm/db';
import { UnauthorizedError } from '@flow-crm/http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import { hashToken, newOpaqueToken } from '../auth/secrets';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { type User } from '../users/user.entity';
import { decideRefresh } from './refresh-decision';
import { Session } from './session.entity';

export interface ClientInfo {
  readonly userAgent?: string;
  readonly ipAddress?: string;
}

export interface IssuedRefreshToken {
  readonly refreshToken: string;
  readonly familyId: string;
}

const INVALID_REFRESH_TOKEN = 'The refresh token is invalid or expired';

/** Refresh tokens: issue, rotate with reuse detection, revoke. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Starts a new session family for a login. */
  async start(manager: EntityManager, user: User, client: ClientInfo): Promise<IssuedRefreshToken> {
    return this.issue(manager, user, newId(), client);
  }

  /**
   * Rotates a refresh token: the presented one stops working and the next one of its family is
   * returned. Reuse of a rotated token revokes the family (committed before answering 401).
   */
  async rotate(
    refreshToken: string,
    client: ClientInfo,
    loadUser: (manager: EntityManager, userId: string) => Promise<User | null>,
  ) {
    const result = await this.dataSource.transaction(async (manager) => {
      const session = await manager.findOne(Session, {
        where: { tokenHash: hashToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session) return null;
      const decision = decideRefresh(session, new Date());
      if (decision.outcome === 'reuse') {
        this.logger.warn(`refresh token reuse in session family ${session.familyId}: family revoked`);
        await this.revokeFamily(manager, session.familyId);
        return null;
      }
      if (decision.outcome === 'reject') return null;
      const user = await loadUser(manager, session.userId);
      if (!user?.isActive) return null;
      await manager.update(Session, { id: session.id }, { rotatedAt: new Date() });
      const issued = await this.issue(manager, user, session.familyId, client);
      return { user, ...issued };
    });
    if (!result) throw new UnauthorizedError(INVALID_REFRESH_TOKEN);
    return result;
  }

  /** Logout: ends the session the token belongs to, if it is the caller's. */
  async end(refreshToken: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const session = await manager.findOne(Session, {
        where: { tokenHash: hashToken(refreshToken), userId },
      });
      if (!session) throw new UnauthorizedError(INVALID_REFRESH_TOKEN);
      await this.revokeFamily(manager, session.familyId);
    });
  }

  /** Revokes every session of a user, except (optionally) the family the caller is using. */
  async revokeAll(manager: EntityManager, userId: string, exceptFamilyId?: string): Promise<void> {
    await manager.update(
      Session,
      { userId, revokedAt: IsNull(), ...(exceptFamilyId ? { familyId: Not(exceptFamilyId) } : {}) },
      { revokedAt: new Date() },
    );
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(Session, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private async issue(
    manager: EntityManager,
    user: User,
    familyId: string,
    client: ClientInfo,
  ): Promise<IssuedRefreshToken> {
    const refreshToken = newOpaqueToken();
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000);
    await manager.insert(Session, {
      id: newId(),
      familyId,
      userId: user.id,
      organizationId: user.organizationId,
      tokenHash: hashToken(refreshToken),
      expiresAt,
      rotatedAt: null,
      revokedAt: null,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
      ipAddress: client.ipAddress ?? null,
    });
    return { refreshToken, familyId };
  }
}
