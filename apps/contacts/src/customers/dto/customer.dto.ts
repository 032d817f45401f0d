import {
  IsOmittable,
  ListSearch,
  Money,
  OmittableText,
  OptionalEmail,
  OptionalId,
  OptionalText,
  OptionalUrl,
  OwnedRecordFields,
  PaginationQuery,
  RequiredText,
  Score,
  TagFilter,
} from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { type Address, OptionalAddress } from '../../shared/address';
import { CUSTOMER_SORTS, type CustomerSort } from '../customer-sorting';
import {
  COMPANY_SIZES,
  type CompanySize,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  CUSTOMER_TYPES,
  type CustomerStatus,
  type CustomerTier,
  type CustomerType,
} from '../customer.entity';

class CustomerFields extends OwnedRecordFields {
  @ApiPropertyOptional({ nullable: true })
  @OptionalText(300)
  readonly legalName?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Manufacturing' })
  @OptionalText(100)
  readonly industry?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'https://globex.example.com' })
  @OptionalUrl()
  readonly website?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(50)
  readonly phone?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalEmail()
  readonly email?: string | null;

  @ApiPropertyOptional({ enum: CUSTOMER_TYPES, default: 'prospect' })
  @IsOmittable()
  @IsIn(CUSTOMER_TYPES)
  readonly type?: CustomerType;

  @ApiPropertyOptional({ enum: CUSTOMER_STATUSES, default: 'active' })
  @IsOmittable()
  @IsIn(CUSTOMER_STATUSES)
  readonly status?: CustomerStatus;

  @ApiPropertyOptional({ nullable: true, enum: CUSTOMER_TIERS })
  @IsOptional()
  @IsIn(CUSTOMER_TIERS)
  readonly tier?: CustomerTier | null;

  @ApiPropertyOptional({ nullable: true, enum: COMPANY_SIZES, description: 'employees' })
  @IsOptional()
  @IsIn(COMPANY_SIZES)
  readonly size?: CompanySize | null;

  @ApiPropertyOptional({ nullable: true, example: 2500000 })
  @IsOptional()
  @Money()
  readonly annualRevenue?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  readonly employeeCount?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 100 })
  @IsOptional()
  @Score()
  readonly healthScore?: number | null;

  @OptionalAddress()
  readonly billingAddress?: Address | null;

  @OptionalAddress()
  readonly shippingAddress?: Address | null;

  @ApiPropertyOptional({ nullable: true })
  @OptionalText(10_000)
  readonly description?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'The parent account; a cycle is refused' })
  @OptionalId()
  readonly parentId?: string | null;
}

export class CreateCustomerDto extends CustomerFields {
  @ApiProperty({ example: 'Globex Corporation' })
  @RequiredText(200)
  readonly name: string;
}

export class UpdateCustomerDto extends CustomerFields {
  @ApiPropertyOptional({ example: 'Globex Corporation' })
  @OmittableText(200)
  readonly name?: string;
}

export class ListCustomersQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @ListSearch()
  readonly search?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_TYPES })
  @IsOptional()
  @IsIn(CUSTOMER_TYPES)
  readonly type?: CustomerType;

  @ApiPropertyOptional({ enum: CUSTOMER_STATUSES })
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  readonly status?: CustomerStatus;

  @ApiPropertyOptional({ enum: CUSTOMER_TIERS })
  @IsOptional()
  @IsIn(CUSTOMER_TIERS)
  readonly tier?: CustomerTier;

  @ApiPropertyOptional()
  @IsOptional()
  @RequiredText(100)
  readonly industry?: string;

  @ApiPropertyOptional()
  @TagFilter()
  readonly tag?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly parentId?: string;

  @ApiPropertyOptional()
  @OptionalId()
  readonly ownerId?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(CUSTOMER_SORTS)
  readonly sort?: CustomerSort;
}
