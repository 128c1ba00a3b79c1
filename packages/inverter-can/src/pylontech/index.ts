export * from './frame-ids';
export * from './flags';
export * from './messages';
export * from './schedule';
