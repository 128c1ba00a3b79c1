export * from './fake-pack-source';
export * from './simulated-relays';
