export * from './fake-pack-source';
