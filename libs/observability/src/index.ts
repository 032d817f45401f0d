export * from './request-context';
export * from './metrics';
export * from './metrics.controller';
export * from './logger';
