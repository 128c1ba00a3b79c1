import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 in `dir` (openssl, P-256, one day), made per test run so
 * no private key lives in the repository. openssl is one of tools/install-system-deps' packages.
 */
export function selfSignedCertificate(dir: string): TestCertificate {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new Error(
      `openssl could not make a test certificate (run tools/install-system-deps): ${String(error)}`,
    );
  }
  return { certFile, keyFile };
}
