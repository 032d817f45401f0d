export * from './naming.strategy';
export * from './ids';
export * from './database';
export * from './sql';
export * from './aggregate-root';
export * from './numeric';
export * from './errors';
export * from './query';
