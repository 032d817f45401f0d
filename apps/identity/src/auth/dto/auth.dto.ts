import { RequiredText } from '@flow-crm/http';
import { ApiProperty } from '@nestjs/swagger';
import { IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength } from 'class-validator';
import { EmailField, NameField, NewPasswordField } from '../../users/dto/user-fields';
import { IsStrongPassword } from '../password-policy';

class OrganizationNameField {
  @ApiProperty({ example: 'Acme Inc.' })
  @RequiredText(200)
  readonly organizationName: string;
}

export class RegisterDto extends IntersectionType(
  EmailField,
  NewPasswordField,
  NameField,
  OrganizationNameField,
) {}

/** Login takes any string as password: the policy applies when a password is set, not when it is tried. */
export class LoginDto extends EmailField {
  @ApiProperty()
  @IsString()
  @MaxLength(1_024)
  readonly password: string;
}

export class RefreshTokenDto {
  @ApiProperty()
  @IsString()
  @MaxLength(512)
  readonly refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1_024)
  readonly currentPassword: string;

  @ApiProperty()
  @IsStrongPassword()
  readonly newPassword: string;
}

export class ForgotPasswordDto extends EmailField {}

export class ResetPasswordDto extends NewPasswordField {
  @ApiProperty()
  @IsString()
  @MaxLength(512)
  readonly token: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @Transform(({ value }) => (typeof value === 'number' ? String(value).padStart(6, '0') : value))
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  readonly code: string;
}

export class VerifyTwoFactorDto extends TotpCodeDto {
  @ApiProperty()
  @IsString()
  @MaxLength(512)
  readonly challengeToken: string;
}
