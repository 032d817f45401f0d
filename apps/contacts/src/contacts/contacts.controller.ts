import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { csvUpload, Page, ParseIdPipe, sendCsv } from '@flow-crm/http';
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
import { type ContactInsight } from './contact-insights';
import { type ContactResponse } from './contact.mapper';
import { type ContactDetail, ContactsService, type ContactStats } from './contacts.service';
import { ContactExport } from './csv/contact-export';
import { ContactImport, type ImportReport } from './csv/contact-import';
import { CreateContactDto, UpdateContactDto } from './dto/contact.dto';
import { ListContactsQuery } from './dto/list-contacts.query';
import { AddTagDto } from '../tags/dto/tag.dto';
import { MergeContactDto } from './dto/merge-contact.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly importer: ContactImport,
    private readonly exporter: ContactExport,
  ) {}

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListContactsQuery,
  ): Promise<Page<ContactResponse>> {
    return this.contacts.list(principal, query);
  }

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateContactDto): Promise<ContactResponse> {
    return this.contacts.create(principal, dto);
  }

  @Get('stats')
  stats(@CurrentPrincipal() principal: Principal): Promise<ContactStats> {
    return this.contacts.stats(principal);
  }

  @ApiProduces('text/csv')
  @Get('export')
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListContactsQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendCsv(reply, 'contacts.csv', await this.exporter.stream(principal, query));
  }

  @ApiConsumes('text/csv')
  @ApiBody({ description: 'A header row, then name,email,phone,company,title,tags (tags ;-separated)' })
  @HttpCode(200)
  @Post('import')
  import(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ImportReport> {
    return this.importer.run(principal, csvUpload(request));
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ContactDetail> {
    return this.contacts.get(principal, id);
  }

  @Put(':id')
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateContactDto,
  ): Promise<ContactResponse> {
    return this.contacts.update(principal, id, dto);
  }

  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateContactDto,
  ): Promise<ContactResponse> {
    return this.contacts.update(principal, id, dto);
  }

  @Delete(':id')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.contacts.remove(principal, id);
    return { success: true };
  }

  @Get(':id/ai-insights')
  insights(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ContactInsight[]> {
    return this.contacts.insights(principal, id);
  }

  @Post(':id/tags')
  addTag(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: AddTagDto,
  ): Promise<ContactResponse> {
    return this.contacts.addTag(principal, id, dto.tag);
  }

  @Delete(':id/tags/:tag')
  removeTag(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Param('tag') tag: string,
  ): Promise<ContactResponse> {
    return this.contacts.removeTag(principal, id, tag);
  }

  @HttpCode(200)
  @Post(':id/merge')
  merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: MergeContactDto,
  ): Promise<ContactResponse> {
    return this.contacts.merge(principal, id, dto.sourceId);
  }
}
