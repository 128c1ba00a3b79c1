export { atMost } from './upper-bound';
export { reconnectPolicy, reconnectSettingsSchema, type ReconnectSettings } from './reconnect-settings';
export { defineKey, formatConfigPath, getAtPath, isPlainObject, setAtPath } from './config-path';
export { jsonDepthExceeds, MAX_PATCH_DEPTH } from './json-depth';
