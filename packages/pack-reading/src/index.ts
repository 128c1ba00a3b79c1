export * from './reading';
export * from './chip-flags';
