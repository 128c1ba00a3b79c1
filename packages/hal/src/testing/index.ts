export * from './recording-logger';
