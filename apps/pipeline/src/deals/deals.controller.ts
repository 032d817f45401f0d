import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { type Page, ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type ActivityResponse, type DealResponse } from './deal.mapper';
import { type Board, type DealDetail, DealsService } from './deals.service';
import { ActivityDto, CreateDealDto, MoveDealDto, UpdateDealDto } from './dto/deal.dto';
import { ListDealsQuery, PipelineScopeQuery } from './dto/list-deals.query';
import { type Forecast, type StageStatistics } from './forecast';
import {
  CreateDealReasonDto,
  type DealReasonResponse,
  DealReasons,
  DealReasonsQuery,
} from './reasons/deal-reasons';

@ApiTags('deals')
@ApiBearerAuth()
@Controller('api/deals')
export class DealsController {
  constructor(
    private readonly deals: DealsService,
    private readonly reasonList: DealReasons,
  ) {}

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListDealsQuery,
  ): Promise<Page<DealResponse>> {
    return this.deals.list(principal, query);
  }

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateDealDto): Promise<DealResponse> {
    return this.deals.create(principal, dto);
  }

  @Get('reasons')
  listReasons(
    @CurrentPrincipal() principal: Principal,
    @Query() query: DealReasonsQuery,
  ): Promise<DealReasonResponse[]> {
    return this.reasonList.list(principal, query.type);
  }

  @Roles('admin', 'manager')
  @Post('reasons')
  addReason(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateDealReasonDto,
  ): Promise<DealReasonResponse> {
    return this.reasonList.create(principal, dto);
  }

  @Roles('admin', 'manager')
  @Delete('reasons/:id')
  async removeReason(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<{ success: true }> {
    await this.reasonList.remove(principal, id);
    return { success: true };
  }

  @Get('forecast')
  forecast(@CurrentPrincipal() principal: Principal): Promise<Forecast> {
    return this.deals.forecast(principal);
  }

  @Get('stage-stats')
  stageStats(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PipelineScopeQuery,
  ): Promise<StageStatistics[]> {
    return this.deals.stageStats(principal, query.pipelineId);
  }

  @Get('board')
  board(@CurrentPrincipal() principal: Principal, @Query() query: PipelineScopeQuery): Promise<Board> {
    return this.deals.board(principal, query.pipelineId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string): Promise<DealDetail> {
    return this.deals.get(principal, id);
  }

  @Put(':id')
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateDealDto,
  ): Promise<DealResponse> {
    return this.deals.update(principal, id, dto);
  }

  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateDealDto,
  ): Promise<DealResponse> {
    return this.deals.update(principal, id, dto);
  }

  @Delete(':id')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<{ success: true }> {
    await this.deals.remove(principal, id);
    return { success: true };
  }

  @Patch(':id/stage')
  move(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: MoveDealDto,
  ): Promise<DealResponse> {
    return this.deals.move(principal, id, dto);
  }

  @HttpCode(201)
  @Post(':id/activities')
  logActivity(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ActivityDto,
  ): Promise<ActivityResponse> {
    return this.deals.logActivity(principal, id, dto);
  }
}
