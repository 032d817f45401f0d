import { importLimitsSchema, loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { z } from 'zod';

export const contactsConfigSchema = platformConfigSchema({ port: 3002, database: 'crm_contacts' }).extend(
  importLimitsSchema.shape,
);

export type ContactsConfig = z.infer<typeof contactsConfigSchema>;

export const CONTACTS_CONFIG = Symbol('CONTACTS_CONFIG');

export function loadContactsConfig(env: NodeJS.ProcessEnv = process.env): ContactsConfig {
  return loadConfig(contactsConfigSchema, env);
}
