export * from './pty-pair';
