export * from './infrastructure';
export * from './test-run';
export * from './tcp-proxy';
export * from './launcher';
export * from './async';
export * from './jwt';
export * from './http';
export * from './contract';
