export * from './config';
export * from './config.module';
export * from './platform.module';
export * from './bootstrap';
export * from './health.controller';
export * from './http-platform.module';
