import { ConfigModule, PlatformModule } from '@flow-crm/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { PIPELINE_CONFIG, type PipelineConfig } from './config';
import { DealActivity } from './deals/deal-activity.entity';
import { Deal } from './deals/deal.entity';
import { DealReason } from './deals/reasons/deal-reason.entity';
import { DealsModule } from './deals/deals.module';
import { StageChange } from './deals/stage-change.entity';
import { EventsModule } from './events/events.module';
import { Lead } from './leads/lead.entity';
import { LeadsModule } from './leads/leads.module';
import { LeadSource } from './leads/sources/lead-source.entity';
import { CreatePipelineSchema1732400000000 } from './migrations/1732400000000-create-pipeline-schema';
import { CreateLeads1732500000000 } from './migrations/1732500000000-create-leads';
import { CreateCustomerReplicas1732600000000 } from './migrations/1732600000000-create-customer-replicas';
import { CreateOrganizations1732700000000 } from './migrations/1732700000000-create-organizations';
import { OrganizationsModule } from './organizations/organizations.module';
import { Pipeline } from './pipelines/pipeline.entity';
import { PipelinesModule } from './pipelines/pipelines.module';
import { ContactReplica } from './replicas/contact-replica.entity';
import { ReplicasModule } from './replicas/replicas.module';
import { UserReplica } from './replicas/user-replica.entity';

@Module({})
export class AppModule {
  static with(config: PipelineConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({
          service: 'pipeline',
          config,
          entities: [
            Pipeline,
            Deal,
            StageChange,
            DealActivity,
            DealReason,
            Lead,
            LeadSource,
            ContactReplica,
            UserReplica,
          ],
          migrations: [
            CreatePipelineSchema1732400000000,
            CreateLeads1732500000000,
            CreateCustomerReplicas1732600000000,
            CreateOrganizations1732700000000,
          ],
        }),
        ConfigModule.provide(PIPELINE_CONFIG, config),
        ReplicasModule,
        PipelinesModule,
        OrganizationsModule,
        DealsModule,
        LeadsModule,
        EventsModule,
      ],
    };
  }
}
