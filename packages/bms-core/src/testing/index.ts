export * from './fake-pack-source';
export * from './simulated-relays';
export * from './fake-output-context';
export * from './status-fixtures';
