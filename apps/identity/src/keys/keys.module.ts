import { Global, Module } from '@nestjs/common';
import { SigningKeys } from './signing-keys.service';

/** Global so that the platform's token verification can resolve identity's own keys. */
@Global()
@Module({ providers: [SigningKeys], exports: [SigningKeys] })
export class KeysModule {}
