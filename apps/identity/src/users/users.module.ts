import { Module } from '@nestjs/common';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../sessions/sessions.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, PasswordHasher, SessionsService],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
