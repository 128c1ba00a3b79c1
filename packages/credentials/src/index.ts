export {
  hashSecret,
  parseSecretHash,
  verifySecret,
  SecretHashError,
  DEFAULT_SCRYPT_PARAMETERS,
} from './secret-hash';
export type { ParsedHash, ScryptParameters } from './secret-hash';
export { credentialTextProblem } from './credential-text';
export { FailedAttemptThrottle, DEFAULT_FAILED_ATTEMPT_THROTTLE } from './failed-attempt-throttle';
export type { FailedAttemptThrottleOptions } from './failed-attempt-throttle';
export { scryptHashSchema } from './secret-hash-schema';
