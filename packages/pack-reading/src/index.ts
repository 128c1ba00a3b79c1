export * from './reading';
export * from './chip-flags';
export * from './pack-source';
