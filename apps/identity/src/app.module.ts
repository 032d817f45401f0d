import { KeyResolver } from '@flow-crm/auth';
import { ConfigModule, PlatformModule } from '@flow-crm/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { OneTimeToken } from './auth/one-time-token.entity';
import { IDENTITY_CONFIG, type IdentityConfig } from './config';
import { KeysModule } from './keys/keys.module';
import { SigningKey } from './keys/signing-key.entity';
import { SigningKeys } from './keys/signing-keys.service';
import { CreateIdentitySchema1732100000000 } from './migrations/1732100000000-create-identity-schema';
import { Organization } from './organizations/organization.entity';
import { ReplicasModule } from './replicas/replicas.module';
import { Session } from './sessions/session.entity';
import { Team, TeamMember } from './teams/team.entity';
import { TeamsModule } from './teams/teams.module';
import { User } from './users/user.entity';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static with(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          service: 'identity',
          config,
          entities: [Organization, User, Session, SigningKey, OneTimeToken, Team, TeamMember],
          migrations: [CreateIdentitySchema1732100000000],
          keyResolver: { provide: KeyResolver, useExisting: SigningKeys },
        }),
        ConfigModule.provide(IDENTITY_CONFIG, config),
        KeysModule,
        UsersModule,
        AuthModule,
        TeamsModule,
        ReplicasModule,
      ],
    };
  }
}
