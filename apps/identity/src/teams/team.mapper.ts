import { type TeamSnapshot } from '@flow-crm/contracts';
import { type Team } from './team.entity';

export interface TeamResponse extends TeamSnapshot {
  createdAt: string;
  updatedAt: string;
}

export function toTeamSnapshot(team: Team, memberIds: string[]): TeamSnapshot {
  return {
    id: team.id,
    organizationId: team.organizationId,
    name: team.name,
    managerId: team.managerId,
    memberIds,
  };
}

export function toTeamResponse(team: Team, memberIds: string[]): TeamResponse {
  return {
    ...toTeamSnapshot(team, memberIds),
    createdAt: team.createdAt.toISOString(),
    updatedAt: team.updatedAt.toISOString(),
  };
}
