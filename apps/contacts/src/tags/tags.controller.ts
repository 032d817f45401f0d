import { CurrentPrincipal, type Principal, Roles } from '@flow-crm/auth';
import { ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateTagDto, UpdateTagDto } from './dto/tag.dto';
import { type TagResponse, TagsService } from './tags.service';

/**
 * The organization's tag catalog. Anyone may read it and add to it (tagging a record adds to it
 * too); renaming, recolouring and deleting change every record of every service, so they are
 * for admins and managers.
 */
@ApiTags('tags')
@ApiBearerAuth()
@Controller('api/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<TagResponse[]> {
    return this.tags.list(principal);
  }

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTagDto): Promise<TagResponse> {
    return this.tags.create(principal, dto);
  }

  @Put(':id')
  @Roles('admin', 'manager')
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTagDto,
  ): Promise<TagResponse> {
    return this.tags.update(principal, id, dto);
  }

  @Patch(':id')
  @Roles('admin', 'manager')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTagDto,
  ): Promise<TagResponse> {
    return this.tags.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('admin', 'manager')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.tags.remove(principal, id);
    return { success: true };
  }
}
