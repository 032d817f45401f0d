import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { csvUpload, type Page, ParseIdPipe, sendCsv } from '@flow-crm/http';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { LeadExport } from './csv/lead-export';
import { LeadImport, type LeadImportReport } from './csv/lead-import';
import {
  AssignLeadDto,
  BulkAssignDto,
  ConvertLeadDto,
  CreateLeadDto,
  LeadStatusDto,
  UpdateLeadDto,
} from './dto/lead.dto';
import { ListLeadsQuery } from './dto/list-leads.query';
import { type LeadResponse } from './lead.mapper';
import { type Conversion, LeadsService } from './leads.service';
import { CreateLeadSourceDto, type LeadSourceResponse, LeadSources } from './sources/lead-sources';

@ApiTags('leads')
@ApiBearerAuth()
@Controller('api/leads')
export class LeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly sources: LeadSources,
    private readonly importer: LeadImport,
    private readonly exporter: LeadExport,
  ) {}

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListLeadsQuery,
  ): Promise<Page<LeadResponse>> {
    return this.leads.list(principal, query);
  }

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateLeadDto): Promise<LeadResponse> {
    return this.leads.create(principal, dto);
  }

  @ApiProduces('text/csv')
  @Get('export')
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListLeadsQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendCsv(reply, 'leads.csv', await this.exporter.stream(principal, query));
  }

  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'A header row, then name,email,phone,company,title,source (and tags, ;-separated)',
  })
  @HttpCode(200)
  @Post('import')
  import(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): Promise<LeadImportReport> {
    return this.importer.run(principal, csvUpload(request));
  }

  @Get('stats')
  stats(@CurrentPrincipal() principal: Principal): ReturnType<LeadsService['stats']> {
    return this.leads.stats(principal);
  }

  @Get('sources')
  listSources(@CurrentPrincipal() principal: Principal): Promise<LeadSourceResponse[]> {
    return this.sources.list(principal);
  }

  @Post('sources')
  createSource(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateLeadSourceDto,
  ): Promise<LeadSourceResponse> {
    return this.sources.create(principal, dto);
  }

  @Roles('admin', 'manager')
  @HttpCode(200)
  @Post('bulk/assign')
  bulkAssign(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: BulkAssignDto,
  ): Promise<{ updated: number }> {
    return this.leads.bulkAssign(principal, dto);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string): Promise<LeadResponse> {
    return this.leads.get(principal, id);
  }

  @Put(':id')
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateLeadDto,
  ): Promise<LeadResponse> {
    return this.leads.update(principal, id, dto);
  }

  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateLeadDto,
  ): Promise<LeadResponse> {
    return this.leads.update(principal, id, dto);
  }

  @Delete(':id')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<{ success: true }> {
    await this.leads.remove(principal, id);
    return { success: true };
  }

  @Patch(':id/status')
  changeStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: LeadStatusDto,
  ): Promise<LeadResponse> {
    return this.leads.changeStatus(principal, id, dto);
  }

  @Roles('admin', 'manager')
  @Patch(':id/assign')
  assign(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: AssignLeadDto,
  ): Promise<LeadResponse> {
    return this.leads.assign(principal, id, dto);
  }

  @HttpCode(200)
  @Post(':id/convert')
  convert(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ConvertLeadDto,
  ): Promise<Conversion> {
    return this.leads.convert(principal, id, dto);
  }
}
