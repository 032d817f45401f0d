export * from './config';
export * from './platform.module';
export * from './bootstrap';
export * from './health.controller';
export * from './http-platform.module';
