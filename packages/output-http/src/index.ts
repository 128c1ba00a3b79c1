export { httpConfigSchema, isLoopbackHost, type HttpConfig } from './http-config';
export { startHttpOutput, startHttpOutputWith, type HttpOutputOptions } from './http-output';
export {
  createHttpApi,
  type BackupDownload,
  type SupportBundleDownload,
  type HttpApi,
  type HttpApiOptions,
  type HttpOutputSettings,
} from './http-app';
export { DEFAULT_EVENT_STREAM_OPTIONS, type EventStreamOptions } from './event-stream';
export { StatusHistory, type HistoryPoint, type StatusHistoryOptions } from './status-history';
export { type ArchivedEvent, type ArchivedRow, type HistoryArchive } from './history-archive';
export { HTTP_SECRET_CONFIG_PATHS, SECRET_MASK, redactConfig, withoutMaskedSecrets } from './redact-config';
export {
  addLinkCounterSample,
  DEFAULT_LINK_ERROR_WINDOWS,
  emptyLinkErrorWindows,
  linkCounterGrowth,
  type LinkCounterSample,
  type LinkErrorWindow,
  type LinkErrorWindows,
  type LinkErrorWindowsOptions,
} from './link-error-windows';
export { LinkErrorLog, linkCounterSampleOf } from './link-error-log';
export {
  linkErrorReport,
  type LinkErrorCell,
  type LinkErrorReport,
  type LinkErrorRow,
} from './link-error-report';
