import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AddTeamMemberDto, CreateTeamDto, UpdateTeamDto } from './dto/team.dto';
import { type TeamResponse } from './team.mapper';
import { TeamsService } from './teams.service';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<TeamResponse[]> {
    return this.teams.list(principal);
  }

  @Roles('admin', 'manager')
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTeamDto): Promise<TeamResponse> {
    return this.teams.create(principal, dto);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string): Promise<TeamResponse> {
    return this.teams.get(principal, id);
  }

  @Roles('admin', 'manager')
  @Put(':id')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTeamDto,
  ): Promise<TeamResponse> {
    return this.teams.update(principal, id, dto);
  }

  @Roles('admin', 'manager')
  @Delete(':id')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.teams.remove(principal, id);
    return { success: true };
  }

  @Roles('admin', 'manager')
  @Post(':id/members')
  addMember(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: AddTeamMemberDto,
  ): Promise<TeamResponse> {
    return this.teams.addMember(principal, id, dto.userId);
  }

  @Roles('admin', 'manager')
  @Delete(':id/members/:userId')
  removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Param('userId', ParseIdPipe) userId: string,
  ): Promise<TeamResponse> {
    return this.teams.removeMember(principal, id, userId);
  }
}
