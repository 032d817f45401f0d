export * from './naming.strategy';
export * from './ids';
export * from './database';
export * from './sql';
