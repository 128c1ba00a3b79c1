export * from './recording-format';
export * from './replay-source';
