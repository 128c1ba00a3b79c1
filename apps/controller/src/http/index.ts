export { startHttpOutput, startHttpOutputWith } from './http-output';
export { createHttpApi } from './http-app';
export type { HttpApi, HttpApiOptions, HttpOutputSettings, HttpSettings } from './http-app';
export { StatusHistory } from './status-history';
export type { HistoryPoint } from './status-history';
export { SECRET_CONFIG_PATHS, SECRET_MASK, redactConfig } from './redact-config';
