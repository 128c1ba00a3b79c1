export * from './field-codec';
export * from './candump-log';
export * from './victron';
