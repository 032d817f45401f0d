import { Global, Module } from '@nestjs/common';
import { ContactReplicas } from './contact-replicas';
import { CustomerReplicas } from './customer-replicas';
import { UserReplicas } from './user-replicas';

@Global()
@Module({
  providers: [ContactReplicas, CustomerReplicas, UserReplicas],
  exports: [ContactReplicas, CustomerReplicas, UserReplicas],
})
export class ReplicasModule {}
