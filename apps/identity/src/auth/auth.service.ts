import { type Principal } from '@flow-crm/auth';
import { aggregateEvent, Outbox } from '@flow-crm/bus';
import { OrganizationCreated, PasswordResetRequested, UserCreated } from '@flow-crm/contracts';
import { newId } from '@flow-crm/db';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '@flow-crm/http';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config';
import { SigningKeys } from '../keys/signing-keys.service';
import {
  Organization,
  type OrganizationResponse,
  toOrganizationResponse,
} from '../organizations/organization.entity';
import { type ClientInfo, SessionsService } from '../sessions/sessions.service';
import { User } from '../users/user.entity';
import { toUserResponse, type UserResponse } from '../users/user.mapper';
import { UsersService } from '../users/users.service';
import {
  type ChangePasswordDto,
  type LoginDto,
  type RegisterDto,
  type ResetPasswordDto,
  type VerifyTwoFactorDto,
} from './dto/auth.dto';
import { OneTimeToken, type OneTimeTokenPurpose } from './one-time-token.entity';
import { PasswordHasher } from './password-hasher';
import { hashToken, newOpaqueToken } from './secrets';
import { acceptedTotpStep, enrollTotp, type TotpEnrollment } from './totp';

export interface TokenPair {
  user: UserResponse;
  token: string;
  refreshToken: string;
  expiresIn: number;
}

export type LoginResult = TokenPair | { twoFactorRequired: true; challengeToken: string };

/** One message for every failed login, so that it never tells whether an e-mail has an account. */
export const INVALID_CREDENTIALS = 'Invalid e-mail or password';
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const MAX_CHALLENGE_ATTEMPTS = 5;
/**
 * Wrong codes a user may send across all their challenges in the window below: without it,
 * whoever holds the password could open challenge after challenge and keep guessing.
 */
const MAX_TWO_FACTOR_FAILURES = 10;
const TWO_FACTOR_FAILURE_WINDOW_MINUTES = 15;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly keys: SigningKeys,
    private readonly users: UsersService,
  ) {}

  /** Creates an organization with the registering user as its first admin, and logs them in. */
  async register(
    dto: RegisterDto,
    client: ClientInfo,
  ): Promise<TokenPair & { organization: OrganizationResponse }> {
    const passwordHash = await this.hasher.hash(dto.password);
    const { organization, pair } = await this.dataSource.transaction(async (manager) => {
      const organization = await manager.save(
        manager.create(Organization, { id: newId(), name: dto.organizationName }),
      );
      const user = await this.users.insert(manager, {
        organizationId: organization.id,
        email: dto.email,
        name: dto.name,
        role: 'admin',
        passwordHash,
      });
      await this.outbox.publish(manager, OrganizationCreated, {
        organizationId: organization.id,
        aggregateId: organization.id,
        aggregateVersion: 1,
        actorId: user.id,
        data: {
          id: organization.id,
          name: organization.name,
          createdAt: organization.createdAt.toISOString(),
        },
      });
      await this.users.publish(manager, UserCreated, user, user.id);
      return { organization, pair: await this.logIn(manager, user, client) };
    });
    return { ...pair, organization: toOrganizationResponse(organization) };
  }

  async login(dto: LoginDto, client: ClientInfo): Promise<LoginResult> {
    const user = await this.dataSource.getRepository(User).findOneBy({ email: dto.email });
    const valid = user
      ? await this.hasher.verify(user.passwordHash, dto.password)
      : await this.hasher.verifyNothing(dto.password);
    if (!user || !valid || !user.isActive) throw new UnauthorizedError(INVALID_CREDENTIALS);
    if (user.twoFactorEnabled) {
      const challengeToken = await this.dataSource.transaction((manager) =>
        this.issueOneTimeToken(manager, 'login_challenge', user.id, CHALLENGE_TTL_MS),
      );
      return { twoFactorRequired: true, challengeToken };
    }
    const rehash = this.hasher.needsRehash(user.passwordHash)
      ? await this.hasher.hash(dto.password)
      : undefined;
    return this.dataSource.transaction(async (manager) => {
      if (rehash) await manager.update(User, { id: user.id }, { passwordHash: rehash });
      return this.logIn(manager, user, client);
    });
  }

  /** Second step of a login with 2FA. A challenge survives a few wrong codes, then dies. */
  async verifyTwoFactor(dto: VerifyTwoFactorDto, client: ClientInfo): Promise<TokenPair> {
    const result = await this.dataSource.transaction(async (manager) => {
      const challenge = await this.liveOneTimeToken(manager, 'login_challenge', dto.challengeToken);
      if (!challenge) return null;
      const user = await manager.findOne(User, {
        where: { id: challenge.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user?.isActive || !user.twoFactorEnabled || !user.twoFactorSecret) return null;
      if ((await this.recentTwoFactorFailures(manager, user.id)) >= MAX_TWO_FACTOR_FAILURES) return null;
      const step = acceptedTotpStep(user.twoFactorSecret, dto.code, user.twoFactorLastStep);
      if (step === null) {
        challenge.attempts += 1;
        if (challenge.attempts >= MAX_CHALLENGE_ATTEMPTS) challenge.usedAt = new Date();
        await manager.save(challenge);
        return null;
      }
      challenge.usedAt = new Date();
      await manager.save(challenge);
      await manager.update(User, { id: user.id }, { twoFactorLastStep: step });
      return this.logIn(manager, user, client);
    });
    if (!result) throw new UnauthorizedError('The code or the challenge is invalid or expired');
    return result;
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<Omit<TokenPair, 'user'>> {
    const {
      user,
      refreshToken: next,
      familyId,
    } = await this.sessions.rotate(refreshToken, client, (manager, id) => manager.findOneBy(User, { id }));
    const { token, expiresIn } = this.keys.sign({
      sub: user.id,
      org: user.organizationId,
      role: user.role,
      sid: familyId,
    });
    return { token, refreshToken: next, expiresIn };
  }

  async logout(principal: Principal, refreshToken: string): Promise<void> {
    await this.sessions.end(refreshToken, principal.userId);
  }

  /** Changes the caller's password; every other session of theirs ends. */
  async changePassword(principal: Principal, dto: ChangePasswordDto): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: principal.userId });
    if (!user) throw new NotFoundError('User');
    if (!(await this.hasher.verify(user.passwordHash, dto.currentPassword))) {
      throw ValidationError.of('currentPassword', 'currentPassword is incorrect');
    }
    const passwordHash = await this.hasher.hash(dto.newPassword);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(User, { id: user.id }, { passwordHash });
      await this.voidOneTimeTokens(manager, user.id);
      await this.sessions.revokeAll(manager, user.id, principal.sessionId);
    });
  }

  /**
   * Starts a password reset. The answer is the same whether or not the e-mail has an account;
   * when it has, the token travels in an event to the messaging service, which e-mails it.
   */
  async forgotPassword(email: string): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOneBy({ email });
    if (!user?.isActive) return;
    const ttlMs = this.config.PASSWORD_RESET_TTL_MINUTES * 60 * 1000;
    await this.dataSource.transaction(async (manager) => {
      // A new request voids the links sent before it.
      await this.voidOneTimeTokens(manager, user.id, 'password_reset');
      const resetToken = await this.issueOneTimeToken(manager, 'password_reset', user.id, ttlMs);
      await this.outbox.publish(
        manager,
        PasswordResetRequested,
        aggregateEvent(user, null, {
          userId: user.id,
          email: user.email,
          name: user.name,
          resetToken,
          expiresAt: new Date(Date.now() + ttlMs).toISOString(),
        }),
      );
    });
  }

  /** Sets a new password with a reset token; the token is spent and every session ends. */
  async resetPassword(dto: ResetPasswordDto): Promise<void> {
    const passwordHash = await this.hasher.hash(dto.password);
    await this.dataSource.transaction(async (manager) => {
      const reset = await this.liveOneTimeToken(manager, 'password_reset', dto.token);
      const user = reset ? await manager.findOneBy(User, { id: reset.userId }) : null;
      if (!reset || !user?.isActive) throw ValidationError.of('token', 'token is invalid or expired');
      await manager.update(User, { id: user.id }, { passwordHash });
      await this.voidOneTimeTokens(manager, user.id);
      await this.sessions.revokeAll(manager, user.id);
    });
  }

  /** Generates a TOTP secret; 2FA stays off until `enableTwoFactor` proves the user holds it. */
  async setupTwoFactor(principal: Principal): Promise<TotpEnrollment> {
    return this.withLockedUser(principal, async (manager, user) => {
      if (user.twoFactorEnabled) throw new ConflictError('Two-factor authentication is already enabled');
      const enrollment = enrollTotp(this.config.TOTP_ISSUER, user.email);
      await manager.update(User, { id: user.id }, { twoFactorPendingSecret: enrollment.secret });
      return enrollment;
    });
  }

  async enableTwoFactor(principal: Principal, code: string): Promise<User> {
    return this.withLockedUser(principal, async (manager, user) => {
      if (user.twoFactorEnabled) throw new ConflictError('Two-factor authentication is already enabled');
      if (!user.twoFactorPendingSecret) throw new ConflictError('Set up two-factor authentication first');
      const step = acceptedTotpStep(user.twoFactorPendingSecret, code, null);
      if (step === null) throw ValidationError.of('code', 'code is not valid');
      Object.assign(user, {
        twoFactorEnabled: true,
        twoFactorSecret: user.twoFactorPendingSecret,
        twoFactorPendingSecret: null,
        twoFactorLastStep: step,
      });
      return manager.save(user);
    });
  }

  async disableTwoFactor(principal: Principal, code: string): Promise<User> {
    return this.withLockedUser(principal, async (manager, user) => {
      if (!user.twoFactorEnabled || !user.twoFactorSecret)
        throw new ConflictError('Two-factor authentication is not enabled');
      if (acceptedTotpStep(user.twoFactorSecret, code, user.twoFactorLastStep) === null) {
        throw ValidationError.of('code', 'code is not valid');
      }
      Object.assign(user, {
        twoFactorEnabled: false,
        twoFactorSecret: null,
        twoFactorPendingSecret: null,
        twoFactorLastStep: null,
      });
      return manager.save(user);
    });
  }

  private async withLockedUser<T>(
    principal: Principal,
    work: (manager: EntityManager, user: User) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOne(User, {
        where: { id: principal.userId, organizationId: principal.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) throw new NotFoundError('User');
      return work(manager, user);
    });
  }

  /** Records the login and hands out a new session's tokens. */
  private async logIn(manager: EntityManager, user: User, client: ClientInfo): Promise<TokenPair> {
    user.lastLoginAt = new Date();
    await manager.update(User, { id: user.id }, { lastLoginAt: user.lastLoginAt });
    const { refreshToken, familyId } = await this.sessions.start(manager, user, client);
    const { token, expiresIn } = this.keys.sign({
      sub: user.id,
      org: user.organizationId,
      role: user.role,
      sid: familyId,
    });
    return { user: toUserResponse(user), token, refreshToken, expiresIn };
  }

  /** Spends every outstanding token of a user (of one purpose, or all): after a password change none may be used. */
  private async voidOneTimeTokens(
    manager: EntityManager,
    userId: string,
    purpose?: OneTimeTokenPurpose,
  ): Promise<void> {
    await manager.update(
      OneTimeToken,
      { userId, usedAt: IsNull(), ...(purpose ? { purpose } : {}) },
      { usedAt: new Date() },
    );
  }

  private async recentTwoFactorFailures(manager: EntityManager, userId: string): Promise<number> {
    const [row] = await manager.query(
      `SELECT coalesce(sum(attempts), 0)::int AS failures FROM one_time_tokens
       WHERE user_id = $1 AND purpose = 'login_challenge' AND created_at > now() - make_interval(mins => $2)`,
      [userId, TWO_FACTOR_FAILURE_WINDOW_MINUTES],
    );
    return row.failures;
  }

  private async issueOneTimeToken(
    manager: EntityManager,
    purpose: OneTimeTokenPurpose,
    userId: string,
    ttlMs: number,
  ): Promise<string> {
    const token = newOpaqueToken();
    await manager.insert(OneTimeToken, {
      id: newId(),
      purpose,
      userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + ttlMs),
      usedAt: null,
      attempts: 0,
    });
    return token;
  }

  /** The unspent, unexpired token of this purpose, locked for the caller's transaction. */
  private async liveOneTimeToken(
    manager: EntityManager,
    purpose: OneTimeTokenPurpose,
    token: string,
  ): Promise<OneTimeToken | null> {
    const found = await manager.findOne(OneTimeToken, {
      where: { tokenHash: hashToken(token), purpose },
      lock: { mode: 'pessimistic_write' },
    });
    return found && !found.usedAt && found.expiresAt.getTime() > Date.now() ? found : null;
  }
}
