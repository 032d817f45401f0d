export * from './principal';
export * from './decorators';
export * from './key-resolver';
export * from './guards';
export * from './scoping';
export * from './auth.module';
export * from './token-verifier';
