import { ROLES, type Role } from '@flow-crm/auth';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOmittable, LowerCase, OmittableText, RequiredText } from '@flow-crm/http';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsTimeZone,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsStrongPassword, PASSWORD_MAX_LENGTH } from '../../auth/password-policy';

/** Fields shared by the DTOs that take them; each DTO extends what it accepts. */
export class EmailField {
  @ApiProperty({ example: 'ada@example.com' })
  @LowerCase()
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @MaxLength(254)
  readonly email: string;
}

export class NameField {
  @ApiProperty({ example: 'Ada Lovelace' })
  @RequiredText(200)
  readonly name: string;
}

export class NewPasswordField {
  @ApiProperty({
    description: 'At least 8 characters with an upper case letter, a lower case letter and a digit',
    maxLength: PASSWORD_MAX_LENGTH,
  })
  @IsStrongPassword()
  readonly password: string;
}

export const THEMES = ['light', 'dark', 'system'] as const;

export class PreferencesDto {
  @ApiPropertyOptional({ enum: THEMES })
  @IsOmittable()
  @IsIn(THEMES)
  readonly theme?: (typeof THEMES)[number];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  readonly notificationsEnabled?: boolean;

  @ApiPropertyOptional({ example: 'Europe/Paris' })
  @IsOmittable()
  @IsTimeZone({ message: 'timezone must be an IANA time zone such as Europe/Paris' })
  readonly timezone?: string;

  @ApiPropertyOptional({ example: 'fr' })
  @IsOmittable()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, {
    message: 'language must be a language tag such as en or pt-BR',
  })
  readonly language?: string;
}

export class ProfileFields {
  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @OmittableText(200)
  readonly name?: string;

  @ApiPropertyOptional({ example: 'https://example.com/avatar.png', nullable: true })
  @IsOptional() // null clears the avatar
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2_000)
  readonly avatarUrl?: string | null;

  @ApiPropertyOptional({ type: PreferencesDto })
  @IsOmittable()
  @IsObject()
  @ValidateNested()
  @Type(() => PreferencesDto)
  readonly preferences?: PreferencesDto;
}

export class RoleField {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  readonly role: Role;
}
