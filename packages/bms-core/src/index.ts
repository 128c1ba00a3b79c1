export * from './create-bms';
export * from './relays';
export * from './status';
export * from './persisted-state';
export { describeLocation } from './state-change-log';
export * from './decisions';
export * from './recording';
