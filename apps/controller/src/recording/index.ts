export * from './readings-recorder';
export * from './recording-file';
