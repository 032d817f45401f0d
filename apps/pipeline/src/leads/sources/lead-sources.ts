import { inOrganization, type Principal } from '@flow-crm/auth';
import { insertNew, newId, refuseDuplicate } from '@flow-crm/db';
import { ConflictError, RequiredText } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { LeadSource } from './lead-source.entity';

export class CreateLeadSourceDto {
  @ApiProperty({ example: 'Trade show' })
  @RequiredText(100)
  readonly name: string;
}

export interface LeadSourceResponse {
  id: string;
  name: string;
  createdAt: string;
}

const toResponse = (source: LeadSource): LeadSourceResponse => ({
  id: source.id,
  name: source.name,
  createdAt: source.createdAt.toISOString(),
});

/** The organization's list of lead sources. */
@Injectable()
export class LeadSources {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(principal: Principal): Promise<LeadSourceResponse[]> {
    const sources = await this.dataSource.manager.find(LeadSource, {
      where: inOrganization(principal),
      order: { name: 'ASC' },
    });
    return sources.map(toResponse);
  }

  async create(principal: Principal, dto: CreateLeadSourceDto): Promise<LeadSourceResponse> {
    const source = await refuseDuplicate(
      'lead_sources_name',
      () => new ConflictError('A lead source with this name exists'),
      () =>
        insertNew(
          this.dataSource.manager,
          LeadSource,
          this.dataSource.manager.create(LeadSource, {
            id: newId(),
            organizationId: principal.organizationId,
            name: dto.name,
          }),
        ),
    );
    return toResponse(source);
  }
}
