import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { type Page, PaginationQuery, ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type CustomerResponse } from '../customer.mapper';
import { CreateSegmentDto } from './segment.dto';
import { type SegmentResponse, SegmentsService } from './segments.service';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers/segments')
export class SegmentsController {
  constructor(private readonly segments: SegmentsService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<SegmentResponse[]> {
    return this.segments.list(principal);
  }

  @Roles('admin', 'manager')
  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSegmentDto): Promise<SegmentResponse> {
    return this.segments.create(principal, dto);
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<SegmentResponse> {
    return this.segments.get(principal, id);
  }

  @Roles('admin', 'manager')
  @Delete(':id')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.segments.remove(principal, id);
    return { success: true };
  }

  @Get(':id/members')
  members(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: PaginationQuery,
  ): Promise<Page<CustomerResponse>> {
    return this.segments.members(principal, id, query);
  }
}
