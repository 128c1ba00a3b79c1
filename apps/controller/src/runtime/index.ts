export * from './runtime-options';
export * from './status-snapshot';
export * from './controller-runtime';
export * from './persisted-state';
