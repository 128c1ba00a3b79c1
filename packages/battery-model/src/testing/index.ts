export * from './reading-fixtures';
