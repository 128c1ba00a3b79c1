export { atMost } from './upper-bound';
export { reconnectPolicy, reconnectSettingsSchema, type ReconnectSettings } from './reconnect-settings';
export { defineKey, formatConfigPath, getAtPath, isPlainObject, setAtPath } from './config-path';
export { jsonDepthExceeds, MAX_PATCH_DEPTH } from './json-depth';
export {
  BMS_CELL_SETTINGS,
  bmsConfigShape,
  DEFAULT_MODULE_COUNT,
  MAX_PACK_CURRENT_A,
  type BmsSettings,
  type DeepReadonly,
  type PackSourceBounds,
} from './bms-config-schema';
export {
  attemptBuild,
  buildBmsConfig,
  collectBmsConfig,
  libraryInput,
  withoutRepeats,
  type ConfigBindings,
  type LeafPath,
  type LibraryRejection,
} from './bms-library-configs';
export {
  BMS_SAFETY_SETTINGS,
  loosenedSafetySettings,
  type SafetySetting,
  type SettingsChange,
} from './safety-settings';
export { BMS_SETTING_EFFECTS, changeEffect, type SettingEffects } from './setting-effects';
