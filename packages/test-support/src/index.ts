export { Scope, scoped, stopProcess } from './scope';
export { Arrivals } from './arrivals';
export { eventually } from './eventually';
export { selfSignedCertificate, type TestCertificate } from './self-signed-cert';
export {
  freePort,
  MOSQUITTO,
  startMosquitto,
  type MosquittoBroker,
  type MosquittoOptions,
} from './mosquitto-broker';
export { MqttProbe, type ProbeLogin, type ProbeMessage } from './mqtt-probe';
export {
  runInUserModeLinux,
  userModeLinuxTimeoutMs,
  type GuestRun,
  type GuestRunOptions,
} from './user-mode-linux';
export { leastSquaresSlope, type Sample } from './least-squares';
export { heapUsedAfterGcBytes } from './heap';
