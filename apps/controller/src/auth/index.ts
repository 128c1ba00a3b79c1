export {
  hashSecret,
  parseSecretHash,
  verifySecret,
  SecretHashError,
  DEFAULT_SCRYPT_PARAMETERS,
} from './secret-hash';
export type { ParsedHash, ScryptParameters } from './secret-hash';
export { credentialTextProblem } from './credential-text';
