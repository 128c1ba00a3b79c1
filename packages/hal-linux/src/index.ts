export * from './link-logger';
export * from './reconnect-policy';
export * from './serial-byte-link';
export * from './socketcan-bus';
export * from './testing';
