export * from './create-bms';
export * from './relays';
export { readContactorFeedback, type ContactorFeedback } from './contactor-feedback';
export * from './status';
export * from './persisted-state';
export * from './output-service';
export { describeLocation } from './state-change-log';
export * from './decisions';
export * from './recording';
export * from './config';
export * from './supervisor';
export { DEFAULT_CURRENT_STALE_AFTER_MS, joinCheckCurrent, joinPackCurrent } from './pack-current';
export {
  DEFAULT_CURRENT_FROZEN_AFTER_MS,
  screenCurrentSample,
  screenCurrentSamples,
  INITIAL_CURRENT_SCREEN,
  type CurrentScreenState,
  type CurrentVerdict,
} from './current-screen';
