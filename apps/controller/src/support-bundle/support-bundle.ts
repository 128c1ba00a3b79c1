import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { supportBundleEntries } from './bundle-entries';
import type { SupportBundleInput } from './bundle-input';
import { assertNoSecrets, secretValues, type SecretValue } from './secret-scan';
import { tarGz, type TarEntry } from './tar-writer';

/** A finished bundle: the .tar.gz and what is in it. */
export interface SupportBundle {
  readonly fileName: string;
  readonly body: Buffer;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

/** `tsbms-support-2026-12-06T061500Z.tar.gz`: the ISO time without its colons and milliseconds. */
export function supportBundleFileName(atMs: number): string {
  return `tsbms-support-${new Date(atMs)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '')}.tar.gz`;
}

/**
 * Checks the entries for every secret (`secretValues` at the controller's SECRET_CONFIG_PATHS
 * whatever paths the entries were redacted by, and `extraSecrets` beside them, such as the
 * credentials the CLI was given) and archives them, or throws SupportBundleError
 * SECRET_IN_BUNDLE and nothing is made.
 */
export function archiveSupportBundle(
  entries: readonly TarEntry[],
  input: Pick<SupportBundleInput, 'config' | 'secretPaths' | 'env' | 'createdAtMs'>,
  extraSecrets: readonly SecretValue[] = [],
): SupportBundle {
  const secretPaths = [...new Set([...SECRET_CONFIG_PATHS, ...input.secretPaths])];
  assertNoSecrets(entries, secretValues(input.config, secretPaths, input.env, extraSecrets));
  return {
    fileName: supportBundleFileName(input.createdAtMs),
    body: tarGz(entries, { mtimeMs: input.createdAtMs }),
    files: entries.map((entry) => ({ name: entry.name, bytes: entry.body.length })),
  };
}

/** The bundle of `input`: its entries (supportBundleEntries), checked and archived. */
export function makeSupportBundle(
  input: SupportBundleInput,
  extraSecrets: readonly SecretValue[] = [],
): SupportBundle {
  return archiveSupportBundle(supportBundleEntries(input), input, extraSecrets);
}
