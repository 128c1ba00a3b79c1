export * from './runtime-state-file';
