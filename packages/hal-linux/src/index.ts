export * from './gpio-binding';
export * from './gpio-error';
export * from './gpio-output';
export * from './serial-byte-link';
export * from './socketcan-bus';
