export { BmsSupervisor, type SupervisorOptions } from './bms-supervisor';
export { DEFAULT_RESTART_POLICY, RestartScheduler, type RestartPolicy } from './restart-scheduler';
export { outputContext, outputService } from './output-registration';
export type {
  ConfigCheckpoint,
  ConfigSource,
  CoreStart,
  CoreStarter,
  ServiceFactory,
  SessionCore,
  SessionTasks,
  StateStore,
  SupervisedConfigUpdate,
  SupervisorContext,
} from './supervisor-ports';
