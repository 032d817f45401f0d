import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { type Page, ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type CommunicationResponse } from './communication.mapper';
import { CommunicationService } from './communication.service';
import { ListCommunicationQuery, LogCommunicationDto } from './dto/communication.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts/:id/communication')
export class CommunicationController {
  constructor(private readonly communication: CommunicationService) {}

  @Post()
  log(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: LogCommunicationDto,
  ): Promise<CommunicationResponse> {
    return this.communication.log(principal, id, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: ListCommunicationQuery,
  ): Promise<Page<CommunicationResponse>> {
    return this.communication.list(principal, id, query);
  }
}
