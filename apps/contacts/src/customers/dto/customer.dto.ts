import { LowerCase, IsOmittable, PaginationQuery, Trim, TrimToNull } from '@flow-crm/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Address } from '../../shared/address';
import { TagsField } from '../../shared/tags';
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

export const MAX_MONEY = 9_999_999_999_999.99;

class CustomerFields extends TagsField {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(300)
  readonly legalName?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'Manufacturing' })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(100)
  readonly industry?: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'https://globex.example.com' })
  @IsOptional()
  @TrimToNull()
  @IsUrl({ protocols: ['http', 'https'] })
  @MaxLength(2000)
  readonly website?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(50)
  readonly phone?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @TrimToNull()
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @MaxLength(254)
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
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_MONEY)
  readonly annualRevenue?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  readonly employeeCount?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  readonly healthScore?: number | null;

  @ApiPropertyOptional({ nullable: true, type: Address })
  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  readonly billingAddress?: Address | null;

  @ApiPropertyOptional({ nullable: true, type: Address })
  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  readonly shippingAddress?: Address | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @TrimToNull()
  @IsString()
  @MaxLength(10_000)
  readonly description?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'The parent account; a cycle is refused' })
  @IsOptional()
  @LowerCase()
  @IsUUID()
  readonly parentId?: string | null;

  @ApiPropertyOptional({ description: 'admin and manager only; ignored for sales users' })
  @IsOmittable()
  @LowerCase()
  @IsUUID()
  readonly ownerId?: string;
}

export class CreateCustomerDto extends CustomerFields {
  @ApiProperty({ example: 'Globex Corporation' })
  @Trim()
  @IsString()
  @Length(1, 200)
  readonly name: string;
}

export class UpdateCustomerDto extends CustomerFields {
  @ApiPropertyOptional({ example: 'Globex Corporation' })
  @IsOmittable()
  @Trim()
  @IsString()
  @Length(1, 200)
  readonly name?: string;
}

const CUSTOMER_SORT_FIELDS = ['name', 'createdAt', 'updatedAt', 'annualRevenue', 'healthScore'] as const;
export const CUSTOMER_SORTS = CUSTOMER_SORT_FIELDS.flatMap((field) => [field, `-${field}`]);

export class ListCustomersQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, 200)
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
  @Trim()
  @IsString()
  @Length(1, 100)
  readonly industry?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 50)
  readonly tag?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @LowerCase()
  @IsUUID()
  readonly parentId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @LowerCase()
  @IsUUID()
  readonly ownerId?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(CUSTOMER_SORTS)
  readonly sort?: string;
}
