export * from './gpio-binding';
export * from './gpio-error';
export * from './gpio-output';
export * from './gpio-input';
export { GPIO_LINES_MAX } from './gpio-request';
export * from './serial-byte-link';
export * from './serial-line-errors';
export * from './socketcan-bus';
export {
  createNotifySender,
  createSystemdNotifier,
  findExecutable,
  socatAddress,
  SystemdNotifier,
  watchdogPingIntervalMs,
  type NotifySend,
  type ScanProgress,
  type SystemdNotifierOptions,
} from './systemd-notify';
export * from './linux-i2c-bus';
export { bitRateFromIpLinkJson, readCanBitRate, type RunIp } from './can-bit-rate';
