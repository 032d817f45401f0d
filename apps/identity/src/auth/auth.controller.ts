import { CurrentPrincipal, type Principal, Public } from '@flow-crm/auth';
import { RawResponse } from '@flow-crm/http';
import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SigningKeys, type PublicJwks } from '../keys/signing-keys.service';
import { type ClientInfo } from '../sessions/sessions.service';
import { UpdateProfileDto } from '../users/dto/update-profile.dto';
import { toUserResponse, type UserResponse } from '../users/user.mapper';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { Client } from './client-info';
import {
  ChangePasswordDto,
  ForgotPasswordDto,
  LoginDto,
  RefreshTokenDto,
  RegisterDto,
  ResetPasswordDto,
  TotpCodeDto,
  VerifyTwoFactorDto,
} from './dto/auth.dto';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly keys: SigningKeys,
  ) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an organization and its first admin' })
  register(@Body() dto: RegisterDto, @Client() client: ClientInfo) {
    return this.auth.register(dto, client);
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  login(@Body() dto: LoginDto, @Client() client: ClientInfo) {
    return this.auth.login(dto, client);
  }

  @Public()
  @Post('2fa/verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Second step of a login when two-factor authentication is on' })
  verifyTwoFactor(@Body() dto: VerifyTwoFactorDto, @Client() client: ClientInfo) {
    return this.auth.verifyTwoFactor(dto, client);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  refresh(@Body() dto: RefreshTokenDto, @Client() client: ClientInfo) {
    return this.auth.refresh(dto.refreshToken, client);
  }

  @Post('logout')
  @HttpCode(HttpStatus.OK)
  async logout(@CurrentPrincipal() principal: Principal, @Body() dto: RefreshTokenDto) {
    await this.auth.logout(principal, dto.refreshToken);
    return { success: true };
  }

  @Get('me')
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    return toUserResponse(await this.users.get(principal, principal.userId));
  }

  @Put('me')
  async updateMe(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpdateProfileDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.users.updateProfile(principal, dto));
  }

  @Put('password')
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto) {
    await this.auth.changePassword(principal, dto);
    return { success: true };
  }

  @Public()
  @Post('forgot-password')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'E-mail a reset link; the answer does not tell whether the account exists' })
  async forgotPassword(@Body() dto: ForgotPasswordDto) {
    await this.auth.forgotPassword(dto.email);
    return { success: true };
  }

  @Public()
  @Post('reset-password')
  @HttpCode(HttpStatus.OK)
  async resetPassword(@Body() dto: ResetPasswordDto) {
    await this.auth.resetPassword(dto);
    return { success: true };
  }

  @Post('2fa/setup')
  @HttpCode(HttpStatus.OK)
  setupTwoFactor(@CurrentPrincipal() principal: Principal) {
    return this.auth.setupTwoFactor(principal);
  }

  @Post('2fa/enable')
  @HttpCode(HttpStatus.OK)
  async enableTwoFactor(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: TotpCodeDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.auth.enableTwoFactor(principal, dto.code));
  }

  @Post('2fa/disable')
  @HttpCode(HttpStatus.OK)
  async disableTwoFactor(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: TotpCodeDto,
  ): Promise<UserResponse> {
    return toUserResponse(await this.auth.disableTwoFactor(principal, dto.code));
  }

  /** RFC 7517 JWKS, bare (JWKS clients read `keys` at the top level). */
  @Public()
  @RawResponse()
  @Get('jwks.json')
  jwks(): PublicJwks {
    return this.keys.jwks();
  }
}
