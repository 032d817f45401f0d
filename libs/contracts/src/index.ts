import { identityEvents } from './identity.events';
import { EventRegistry } from './registry';

export * from './envelope';
export * from './registry';
export * from './identity.events';

/** Every event of every service, by (type, version). */
export const eventRegistry = new EventRegistry([...identityEvents]);
