export * from './observations';
