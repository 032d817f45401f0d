import { loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

export const contactsConfigSchema = platformConfigSchema({ port: 3002, database: 'crm_contacts' }).extend({
  /** The gateway allows 10 MB on the import route; the service checks the same by itself. */
  IMPORT_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  IMPORT_MAX_ROWS: positiveInt.default(50_000),
});

export type ContactsConfig = z.infer<typeof contactsConfigSchema>;

export const CONTACTS_CONFIG = Symbol('CONTACTS_CONFIG');

export function loadContactsConfig(env: NodeJS.ProcessEnv = process.env): ContactsConfig {
  return loadConfig(contactsConfigSchema, env);
}
