import { dirname, join } from 'node:path';

/**
 * An addon of this package (binding.gyp), built by node-gyp when the package is installed, inside
 * the installed package. Found through the package's own name rather than this file's folder, so
 * that an application bundle that inlines this code still loads it from its installed
 * @tsbms/hal-linux.
 */
export function nativeAddonPath(name: 'tsbms_gpio' | 'tsbms_serial'): string {
  return join(dirname(require.resolve('@tsbms/hal-linux/package.json')), 'build', 'Release', `${name}.node`);
}
