// The contacts app in this process for integration tests (libs/testing's service fixture), with
// helpers that create contacts and customers.
import { createServiceApp } from '@flow-crm/platform';
import { Caller, expectOk, type Json, type ServiceFixture, useService, word } from '@flow-crm/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { type ContactsConfig, loadContactsConfig } from '../src/config';

export { type Json, type RequestOptions, word } from '@flow-crm/testing';

export class ContactsCaller extends Caller {
  /** Another user of the same organization. */
  colleague(role: 'admin' | 'manager' | 'sales'): ContactsCaller {
    return (this.fixture as ContactsFixture).user(role, this.organizationId);
  }

  async createContact(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/contacts', { body: { name: `Contact ${word()}`, ...body } }),
      201,
    );
  }

  async createCustomer(body: Record<string, unknown> = {}): Promise<Json> {
    return expectOk(
      await this.call('POST', '/api/customers', { body: { name: `Customer ${word()}`, ...body } }),
      201,
    );
  }
}

export type { ContactsCaller as Caller };
export type ContactsFixture = ServiceFixture<ContactsConfig, ContactsCaller, NestFastifyApplication>;

export async function startContacts(config: ContactsConfig): Promise<NestFastifyApplication> {
  const app = await createServiceApp(AppModule.with(config), {
    service: 'contacts',
    title: 'contacts (test)',
    config,
  });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return app;
}

/** Starts contacts for the calling test file (beforeAll) and stops it (afterAll). */
export function useContacts(env: Record<string, string> = {}): ContactsFixture {
  return useService({
    service: 'contacts',
    loadConfig: loadContactsConfig,
    start: startContacts,
    caller: ContactsCaller,
    env,
  });
}
