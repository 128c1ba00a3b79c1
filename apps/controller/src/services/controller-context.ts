import type { ServiceFactory, SupervisedConfigUpdate, SupervisorContext } from '@tsbms/bms-core';
import type { ControllerConfig } from '../config';

/*
 * bms-core's supervisor types over the controller's configuration: what the outputs are offered
 * (each gets an OutputContext of its own from it, with its part of the configuration as
 * `settings()`, through bms-core's outputService).
 */

export type ControllerContext = SupervisorContext<ControllerConfig>;
export type ControllerConfigUpdate = SupervisedConfigUpdate<ControllerConfig>;
export type ControllerServiceFactory = ServiceFactory<ControllerConfig>;
