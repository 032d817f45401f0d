import { PlatformModule } from '@flow-crm/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { type PipelineConfig } from './config';
import { DealActivity } from './deals/deal-activity.entity';
import { Deal } from './deals/deal.entity';
import { DealsModule } from './deals/deals.module';
import { StageChange } from './deals/stage-change.entity';
import { EventsModule } from './events/events.module';
import { CreatePipelineSchema1732400000000 } from './migrations/1732400000000-create-pipeline-schema';
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
          entities: [Pipeline, Deal, StageChange, DealActivity, ContactReplica, UserReplica],
          migrations: [CreatePipelineSchema1732400000000],
        }),
        ReplicasModule,
        PipelinesModule,
        DealsModule,
        EventsModule,
      ],
    };
  }
}
