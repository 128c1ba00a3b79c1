export * from './frame-ids';
export * from './accepted-ranges';
export * from './alarms';
export * from './messages';
export * from './schedule';
