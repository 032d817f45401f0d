import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { type Page, ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { toUserResponse, type UserResponse } from './user.mapper';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListUsersQuery,
  ): Promise<Page<UserResponse>> {
    return (await this.users.list(principal, query)).map(toUserResponse);
  }

  @Roles('admin')
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return toUserResponse(await this.users.create(principal, dto));
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.get(principal, id));
  }

  @Roles('admin')
  @Patch(':id')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.update(principal, id, dto));
  }
}
