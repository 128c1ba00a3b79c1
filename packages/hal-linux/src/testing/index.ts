export * from './pty-pair';
export * from './fake-gpio-chip';
export * from './notify-socket';
