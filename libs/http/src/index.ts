export * from './errors';
export * from './error-mapping';
export * from './error.filter';
export * from './validation';
export * from './pagination';
export * from './envelope.interceptor';
export * from './id.pipe';
export * from './transforms';
