import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PipelinesModule } from '../pipelines/pipelines.module';
import { MeetOrganizationInterceptor } from './meet-organization.interceptor';
import { Organizations } from './organizations';

@Module({
  imports: [PipelinesModule],
  providers: [Organizations, { provide: APP_INTERCEPTOR, useClass: MeetOrganizationInterceptor }],
  exports: [Organizations],
})
export class OrganizationsModule {}
