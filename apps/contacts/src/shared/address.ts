import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateNested } from 'class-validator';

/** A postal address, stored as it is given (jsonb): no field is required. */
export class Address {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 300) readonly street?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 120) readonly city?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 120) readonly state?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 20) readonly postalCode?: string;
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 or a name' })
  @IsOptional()
  @IsString()
  @Length(0, 120)
  readonly country?: string;
}

/** An address field of a body: an object validated as `Address`, or null to clear it. */
export const OptionalAddress = () =>
  applyDecorators(
    ApiPropertyOptional({ nullable: true, type: Address }),
    IsOptional(),
    ValidateNested(),
    Type(() => Address),
  );
