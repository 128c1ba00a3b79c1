export {
  encodePoint,
  integerField,
  LineProtocolError,
  type InfluxFieldValue,
  type InfluxInteger,
  type InfluxPoint,
  type LineProtocolErrorCode,
} from './line-protocol';
export {
  faultEventPoint,
  INFLUX_MEASUREMENTS,
  statusPoints,
  type InfluxPointSettings,
} from './influx-points';
export { INFLUXDB_SECRET_CONFIG_PATHS, influxDbConfigSchema, type InfluxDbConfig } from './influxdb-config';
export {
  influxErrorMessage,
  influxWriteUrl,
  InfluxWriteError,
  postLines,
  type InfluxWriteErrorCode,
  type InfluxWriteRequest,
  type InfluxWriteTarget,
} from './influx-write-request';
export {
  DEFAULT_MAX_BATCH_LINES,
  DEFAULT_RETRY_POLICY,
  InfluxWriter,
  MAX_RETRY_AFTER_MS,
  type InfluxWriterCounters,
  type InfluxWriterOptions,
} from './influx-writer';
export {
  InfluxDbOutput,
  startInfluxDbOutput,
  type InfluxDbOutputOptions,
  type InfluxDbOutputSettings,
} from './influxdb-output';
