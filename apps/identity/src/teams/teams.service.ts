import { inOrganization, type Principal } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import {
  TeamCreated,
  TeamDeleted,
  TeamMemberAdded,
  TeamMemberRemoved,
  TeamUpdated,
} from '@flow-crm/contracts';
import { newId } from '@flow-crm/db';
import { ConflictError, NotFoundError, ValidationError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { User } from '../users/user.entity';
import { type CreateTeamDto, type UpdateTeamDto } from './dto/team.dto';
import { Team, TeamMember } from './team.entity';
import { toTeamResponse, toTeamSnapshot, type TeamResponse } from './team.mapper';

const NAME_TAKEN = 'A team with this name already exists';

/** Teams of an organization and their members; every change publishes its event. */
@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async list(principal: Principal): Promise<TeamResponse[]> {
    const teams = await this.dataSource
      .getRepository(Team)
      .createQueryBuilder('team')
      .where('team.organizationId = :organizationId', inOrganization(principal))
      .orderBy('lower(team.name)', 'ASC')
      .addOrderBy('team.id', 'ASC')
      .getMany();
    const members = await this.memberIds(
      this.dataSource.manager,
      teams.map((t) => t.id),
    );
    return teams.map((team) => toTeamResponse(team, members.get(team.id) ?? []));
  }

  async get(principal: Principal, id: string): Promise<TeamResponse> {
    const team = await this.find(this.dataSource.manager, principal, id);
    return this.respond(this.dataSource.manager, team);
  }

  async create(principal: Principal, dto: CreateTeamDto): Promise<TeamResponse> {
    return this.dataSource.transaction(async (manager) => {
      if (dto.managerId) await this.assertActiveUser(manager, principal, dto.managerId, 'managerId');
      await this.assertNameFree(manager, principal, dto.name);
      const team = await manager.save(
        manager.create(Team, {
          id: newId(),
          organizationId: principal.organizationId,
          name: dto.name,
          managerId: dto.managerId ?? null,
        }),
      );
      await this.publish(manager, TeamCreated, team, principal, []);
      return toTeamResponse(team, []);
    });
  }

  async update(principal: Principal, id: string, dto: UpdateTeamDto): Promise<TeamResponse> {
    return this.dataSource.transaction(async (manager) => {
      const team = await this.find(manager, principal, id, true);
      if (dto.managerId) await this.assertActiveUser(manager, principal, dto.managerId, 'managerId');
      if (dto.name !== undefined && dto.name.toLowerCase() !== team.name.toLowerCase())
        await this.assertNameFree(manager, principal, dto.name);
      if (dto.name !== undefined) team.name = dto.name;
      if (dto.managerId !== undefined) team.managerId = dto.managerId;
      const saved = await manager.save(team);
      const members = await this.membersOf(manager, team.id);
      await this.publish(manager, TeamUpdated, saved, principal, members);
      return toTeamResponse(saved, members);
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const team = await this.find(manager, principal, id, true);
      team.deletedAt = new Date();
      const deleted = await manager.save(team);
      await this.outbox.publish(manager, TeamDeleted, {
        organizationId: team.organizationId,
        aggregateId: team.id,
        aggregateVersion: deleted.version,
        actorId: principal.userId,
        data: { id: team.id, organizationId: team.organizationId },
      });
    });
  }

  async addMember(principal: Principal, id: string, userId: string): Promise<TeamResponse> {
    return this.dataSource.transaction(async (manager) => {
      const team = await this.find(manager, principal, id, true);
      await this.assertActiveUser(manager, principal, userId, 'userId');
      const added: unknown[] = await manager.query(
        'INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id',
        [team.id, userId],
      );
      if (added.length > 0) await this.membershipChanged(manager, team, principal, TeamMemberAdded, userId);
      return this.respond(manager, team);
    });
  }

  async removeMember(principal: Principal, id: string, userId: string): Promise<TeamResponse> {
    return this.dataSource.transaction(async (manager) => {
      const team = await this.find(manager, principal, id, true);
      const { affected } = await manager.delete(TeamMember, { teamId: team.id, userId });
      if (affected) await this.membershipChanged(manager, team, principal, TeamMemberRemoved, userId);
      return this.respond(manager, team);
    });
  }

  /** A membership change bumps the team's version, so replicas can order it with the team's other events. */
  private async membershipChanged(
    manager: EntityManager,
    team: Team,
    principal: Principal,
    definition: typeof TeamMemberAdded | typeof TeamMemberRemoved,
    userId: string,
  ): Promise<void> {
    await manager.increment(Team, { id: team.id }, 'version', 1);
    team.version += 1;
    await this.outbox.publish(manager, definition, {
      organizationId: team.organizationId,
      aggregateId: team.id,
      aggregateVersion: team.version,
      actorId: principal.userId,
      data: { teamId: team.id, organizationId: team.organizationId, userId },
    });
  }

  private async find(manager: EntityManager, principal: Principal, id: string, lock = false): Promise<Team> {
    const team = await manager.findOne(Team, {
      where: { id, ...inOrganization(principal) },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!team) throw new NotFoundError('Team');
    return team;
  }

  private async respond(manager: EntityManager, team: Team): Promise<TeamResponse> {
    return toTeamResponse(team, await this.membersOf(manager, team.id));
  }

  private async membersOf(manager: EntityManager, teamId: string): Promise<string[]> {
    return (await this.memberIds(manager, [teamId])).get(teamId) ?? [];
  }

  private async memberIds(manager: EntityManager, teamIds: string[]): Promise<Map<string, string[]>> {
    const byTeam = new Map<string, string[]>();
    if (teamIds.length === 0) return byTeam;
    const rows = await manager.find(TeamMember, {
      where: { teamId: In(teamIds) },
      order: { addedAt: 'ASC', userId: 'ASC' },
    });
    for (const row of rows) byTeam.set(row.teamId, [...(byTeam.get(row.teamId) ?? []), row.userId]);
    return byTeam;
  }

  private async assertActiveUser(
    manager: EntityManager,
    principal: Principal,
    userId: string,
    field: string,
  ): Promise<void> {
    const exists = await manager.exists(User, {
      where: { id: userId, isActive: true, ...inOrganization(principal) },
    });
    if (!exists) throw ValidationError.of(field, `${field} must be an active user of the organization`);
  }

  private async assertNameFree(manager: EntityManager, principal: Principal, name: string): Promise<void> {
    const taken = await manager
      .getRepository(Team)
      .createQueryBuilder('team')
      .where('team.organizationId = :organizationId', inOrganization(principal))
      .andWhere('lower(team.name) = lower(:name)', { name })
      .getExists();
    if (taken) throw new ConflictError(NAME_TAKEN);
  }

  private async publish(
    manager: EntityManager,
    definition: typeof TeamCreated | typeof TeamUpdated,
    team: Team,
    principal: Principal,
    memberIds: string[],
  ): Promise<void> {
    await this.outbox.publish(manager, definition, {
      organizationId: team.organizationId,
      aggregateId: team.id,
      aggregateVersion: team.version,
      actorId: principal.userId,
      data: toTeamSnapshot(team, memberIds),
    });
  }
}
