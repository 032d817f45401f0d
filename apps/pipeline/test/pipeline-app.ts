// The pipeline app in this process for integration tests (libs/testing's service fixture), with
// helpers that create deals and leads and feed the replicas as contacts and identity would.
import { ContactCreated, UserCreated } from '@flow-crm/contracts';
import { createServiceApp } from '@flow-crm/platform';
import {
  Caller,
  envelope,
  eventually,
  expectOk,
  type Json,
  type ServiceFixture,
  useService,
  word,
} from '@flow-crm/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { loadPipelineConfig, type PipelineConfig } from '../src/config';

export { type Json, type RequestOptions, word } from '@flow-crm/testing';

export class PipelineCaller extends Caller {
  /** Another user of the same organization. */
  colleague(role: 'admin' | 'manager' | 'sales'): PipelineCaller {
    return (this.fixture as PipelineFixture).user(role, this.organizationId);
  }

  async createDeal(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/deals', { body: { title: `Deal ${word()}`, value: 100, ...body } }),
      201,
    );
  }

  async createLead(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/leads', { body: { name: `Lead ${word()}`, ...body } }),
      201,
    );
  }
}

export type PipelineFixture = ServiceFixture<PipelineConfig, PipelineCaller, NestFastifyApplication>;

export async function startPipeline(config: PipelineConfig): Promise<NestFastifyApplication> {
  const app = await createServiceApp(AppModule.with(config), {
    service: 'pipeline',
    title: 'pipeline (test)',
    config,
  });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return app;
}

/** Starts pipeline for the calling test file (beforeAll) and stops it (afterAll). */
export function usePipeline(env: Record<string, string> = {}): PipelineFixture {
  return useService({
    service: 'pipeline',
    loadConfig: loadPipelineConfig,
    start: startPipeline,
    caller: PipelineCaller,
    env,
  });
}

/** A contact as contacts announces it, published on the run's exchange; resolves with its snapshot. */
export async function announceContact(
  fixture: PipelineFixture,
  caller: Caller,
  contact: Partial<{
    id: string;
    name: string;
    email: string | null;
    company: string | null;
    customerId: string | null;
    ownerId: string;
  }> = {},
  version = 1,
): Promise<{ id: string; name: string }> {
  const data = {
    id: contact.id ?? randomUUID(),
    organizationId: caller.organizationId,
    ownerId: contact.ownerId ?? caller.userId,
    name: contact.name ?? `Contact ${word()}`,
    email: contact.email ?? null,
    company: contact.company ?? null,
    customerId: contact.customerId ?? null,
  };
  await fixture.inject.publish(
    envelope(ContactCreated.type, data, {
      organizationId: caller.organizationId,
      aggregateId: data.id,
      aggregateVersion: version,
    }),
  );
  return data;
}

/** A user as identity announces it (the users replica is what assignment checks). */
export async function announceUser(
  fixture: PipelineFixture,
  organizationId: string,
  user: Partial<{ id: string; role: 'admin' | 'manager' | 'sales'; isActive: boolean }> = {},
  version = 1,
): Promise<string> {
  const id = user.id ?? randomUUID();
  await fixture.inject.publish(
    envelope(
      UserCreated.type,
      {
        id,
        organizationId,
        email: `${word()}@example.com`,
        name: `User ${word()}`,
        role: user.role ?? 'sales',
        isActive: user.isActive ?? true,
        avatarUrl: null,
      },
      { organizationId, aggregateId: id, aggregateVersion: version },
    ),
  );
  return id;
}

/**
 * `caller` announced by identity as a user of its organization (active unless told), once the
 * users replica holds it: from then on it may own and be assigned records.
 */
export async function announcedUser(
  fixture: PipelineFixture,
  caller: PipelineCaller,
  isActive = true,
): Promise<PipelineCaller> {
  await announceUser(fixture, caller.organizationId, {
    id: caller.userId,
    role: caller.principal.role,
    isActive,
  });
  await eventually(async () => {
    const { rows } = await fixture.db.query('SELECT 1 FROM user_replicas WHERE id = $1', [caller.userId]);
    expect(rows).toHaveLength(1);
  });
  return caller;
}
