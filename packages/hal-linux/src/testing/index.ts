export * from './pty-pair';
export * from './fake-gpio-chip';
