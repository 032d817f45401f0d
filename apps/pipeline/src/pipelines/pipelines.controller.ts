import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreatePipelineDto, UpdatePipelineDto } from './dto/pipeline.dto';
import { type PipelineResponse, toPipelineResponse } from './pipeline.mapper';
import { PipelinesService } from './pipelines.service';

@ApiTags('pipelines')
@ApiBearerAuth()
@Controller('api/pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<PipelineResponse[]> {
    return (await this.pipelines.list(principal)).map(toPipelineResponse);
  }

  @Roles('admin', 'manager')
  @Post()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePipelineDto,
  ): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.create(principal, dto));
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.get(principal, id));
  }

  @Roles('admin', 'manager')
  @Put(':id')
  async put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdatePipelineDto,
  ): Promise<PipelineResponse> {
    return toPipelineResponse(await this.pipelines.update(principal, id, dto));
  }

  @Roles('admin', 'manager')
  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdatePipelineDto,
  ): Promise<PipelineResponse> {
    return this.put(principal, id, dto);
  }
}
