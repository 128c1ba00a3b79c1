export * from './frame-ids';
export * from './alarms';
export * from './messages';
export * from './snapshot';
export * from './schedule';
export * from './identity-text';
