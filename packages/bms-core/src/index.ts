export * from './create-bms';
export * from './relays';
export * from './status';
export * from './persisted-state';
export * from './output-service';
export { describeLocation } from './state-change-log';
export * from './decisions';
export * from './recording';
export * from './config';
