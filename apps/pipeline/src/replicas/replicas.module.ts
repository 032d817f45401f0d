import { Global, Module } from '@nestjs/common';
import { ContactReplicas } from './contact-replicas';
import { UserReplicas } from './user-replicas';

@Global()
@Module({ providers: [ContactReplicas, UserReplicas], exports: [ContactReplicas, UserReplicas] })
export class ReplicasModule {}
