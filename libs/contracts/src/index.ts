import { contactsEvents } from './contacts.events';
import { identityEvents } from './identity.events';
import { pipelineEvents } from './pipeline.events';
import { EventRegistry } from './registry';

export * from './envelope';
export * from './registry';
export * from './identity.events';
export * from './contacts.events';
export * from './pipeline.events';
export * from './replicas';

/** Every event of every service, by (type, version). */
export const eventRegistry = new EventRegistry([...identityEvents, ...contactsEvents, ...pipelineEvents]);
