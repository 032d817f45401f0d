import { Module } from '@nestjs/common';
import { PipelinesModule } from '../pipelines/pipelines.module';
import { DealsController } from './deals.controller';
import { DealsService } from './deals.service';
import { DealReasons } from './reasons/deal-reasons';

@Module({
  imports: [PipelinesModule],
  controllers: [DealsController],
  providers: [DealsService, DealReasons],
  exports: [DealsService],
})
export class DealsModule {}
