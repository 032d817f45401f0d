import { Module } from '@nestjs/common';
import { ReplicaRequestsController } from './replica-requests.controller';

/** Identity's side of other services' replicas of its users. */
@Module({ controllers: [ReplicaRequestsController] })
export class ReplicasModule {}
