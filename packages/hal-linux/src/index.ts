export * from './gpio-binding';
export * from './gpio-error';
export * from './gpio-output';
export * from './link-logger';
export * from './reconnect-policy';
export * from './serial-byte-link';
export * from './socketcan-bus';
export * from './testing';
