export * from './field-codec';
export * from './candump-log';
export * from './victron';
export * from './pylontech';
export * from './sma-sunny-island';
