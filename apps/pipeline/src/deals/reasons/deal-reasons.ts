import { inOrganization, type Principal } from '@flow-crm/auth';
import { insertNew, newId, refuseDuplicate } from '@flow-crm/db';
import { ConflictError, NotFoundError, OptionalText, RequiredText } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import { DealReason, REASON_TYPES, type ReasonType } from './deal-reason.entity';

export class CreateDealReasonDto {
  @ApiProperty({ enum: REASON_TYPES })
  @IsIn(REASON_TYPES)
  readonly type: ReasonType;

  @ApiProperty({ example: 'Price too high' })
  @RequiredText(200)
  readonly reason: string;

  @ApiPropertyOptional({ nullable: true, example: 'Price' })
  @OptionalText(100)
  readonly category?: string | null;
}

export class DealReasonsQuery {
  @ApiPropertyOptional({ enum: REASON_TYPES })
  @IsOptional()
  @IsIn(REASON_TYPES)
  readonly type?: ReasonType;
}

export interface DealReasonResponse {
  id: string;
  type: ReasonType;
  reason: string;
  category: string | null;
  createdAt: string;
}

const toResponse = (reason: DealReason): DealReasonResponse => ({
  id: reason.id,
  type: reason.type,
  reason: reason.reason,
  category: reason.category,
  createdAt: reason.createdAt.toISOString(),
});

/**
 * The organization's list of win and loss reasons, offered when a deal closes. A deal stores the
 * reason's words (`lossReason`), so that removing one from the list changes no deal.
 */
@Injectable()
export class DealReasons {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(principal: Principal, type?: ReasonType): Promise<DealReasonResponse[]> {
    const reasons = await this.dataSource.manager.find(DealReason, {
      where: { ...inOrganization(principal), ...(type ? { type } : {}) },
      order: { type: 'ASC', reason: 'ASC' },
    });
    return reasons.map(toResponse);
  }

  async create(principal: Principal, dto: CreateDealReasonDto): Promise<DealReasonResponse> {
    const manager = this.dataSource.manager;
    const created = await refuseDuplicate(
      'deal_reasons_reason',
      () => new ConflictError('This reason is in the list already'),
      () =>
        insertNew(
          manager,
          DealReason,
          manager.create(DealReason, {
            id: newId(),
            organizationId: principal.organizationId,
            type: dto.type,
            reason: dto.reason,
            category: dto.category ?? null,
          }),
        ),
    );
    return toResponse(created);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const { affected } = await this.dataSource.manager.delete(DealReason, {
      id,
      ...inOrganization(principal),
    });
    if (!affected) throw new NotFoundError('Deal reason');
  }
}
