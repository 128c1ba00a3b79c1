export { ControllerConfigError, configFileError, errorMessage, isControllerConfigError } from './errors';
export type { ConfigIssue, ControllerConfigErrorCode } from './errors';
export { BAUD_RATE_RANGE, controllerConfigSchema, MODULE_COUNT_RANGE } from './schema';
export type { ConfigPath, ControllerConfig } from './schema';
export { libraryConfigs } from './library-configs';
export type { LibraryConfigs } from './library-configs';
export { parseControllerConfig } from './parse-config';
export { DEFAULT_CONTROLLER_CONFIG } from './defaults';
export { ENV_OVERRIDABLE_PATHS, envVariableName } from './env-overrides';
export type { ConfigOverride } from './config-overrides';
export { checkRemoteChange } from './remote-change-policy';
export { loadControllerConfig } from './load-config';
export { ConfigStore } from './config-store';
export type {
  ConfigChange,
  ConfigChangeCheck,
  ConfigCheckpoint,
  ConfigStoreOptions,
  ProposedConfigChange,
} from './config-store';
export {
  nodeFileSystem,
  replaceFileKeepingPrevious,
  syncDirectory,
  writeFileAtomically,
} from './atomic-file';
export type { ConfigFileSystem } from './atomic-file';
export { effectiveConfig } from './effective-config';
export { envOverrides } from './env-overrides';
export { parseConfigText, readConfigText } from './load-config';
export { CONTROLLER_SETTING_EFFECTS } from './setting-effects';
