export * from './memory-link';
export * from './scripted-link';
export * from './recording-link';
export * from './memory-can-bus';
export * from './memory-i2c-bus';
export * from './fake-current-source';
