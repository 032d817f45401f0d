import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateTagDto, UpdateTagDto } from './dto/tag.dto';
import { type TagResponse, TagsService } from './tags.service';

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
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTagDto,
  ): Promise<TagResponse> {
    return this.tags.update(principal, id, dto);
  }

  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTagDto,
  ): Promise<TagResponse> {
    return this.tags.update(principal, id, dto);
  }

  @Delete(':id')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.tags.remove(principal, id);
    return { success: true };
  }
}
