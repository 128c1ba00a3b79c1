import { gzipSync } from 'node:zlib';
import { SupportBundleError } from './support-bundle-error';

/*
 * A small POSIX ustar writer (IEEE Std 1003.1 "pax" interchange format, ustar header): regular
 * files only, each a 512-byte header and its content padded with zeros to a multiple of 512
 * bytes, then two zero blocks. Node has gzip (zlib) but no tar, and a support bundle is a handful
 * of files: this is all it needs, with no dependency.
 */

const BLOCK = 512;
/** The ustar name field; longer names would need the prefix field or a pax header (not needed here). */
export const MAX_TAR_NAME_BYTES = 100;
/** 11 octal digits in the size field: 8 GiB − 1. */
const MAX_SIZE = 8 ** 11 - 1;

export interface TarEntry {
  /** A plain relative file name (`config.json`), at most 100 bytes of UTF-8. */
  readonly name: string;
  readonly body: Buffer;
}

export interface TarOptions {
  /** Every entry's modification time (ms since the epoch; stored in whole seconds). */
  readonly mtimeMs: number;
}

/** A number as `digits` octal digits and a NUL, in a field of digits + 1 bytes. */
function octalField(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\0`;
}

function checkName(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const problem =
    bytes.length === 0
      ? 'an empty name'
      : bytes.length > MAX_TAR_NAME_BYTES
        ? `longer than ${MAX_TAR_NAME_BYTES} bytes`
        : name.startsWith('/') || name.split('/').includes('..')
          ? 'not a plain relative name'
          : name.includes('\0')
            ? 'a NUL in the name'
            : null;
  if (problem !== null)
    throw new SupportBundleError('BAD_ENTRY', `tar entry "${name.slice(0, 120)}": ${problem}`, name);
  return bytes;
}

/** The 512-byte ustar header of a regular file (mode 0644, owner 0:0). */
export function ustarHeader(name: string, size: number, mtimeMs: number): Buffer {
  const nameBytes = checkName(name);
  if (!Number.isInteger(size) || size < 0 || size > MAX_SIZE) {
    throw new SupportBundleError(
      'BAD_ENTRY',
      `tar entry "${name}": size ${size} does not fit a ustar header`,
      name,
    );
  }
  const header = Buffer.alloc(BLOCK, 0);
  nameBytes.copy(header, 0); // name[100]: NUL-terminated only when shorter than 100 bytes
  header.write(octalField(0o644, 7), 100, 'ascii'); // mode[8]
  header.write(octalField(0, 7), 108, 'ascii'); // uid[8]
  header.write(octalField(0, 7), 116, 'ascii'); // gid[8]
  header.write(octalField(size, 11), 124, 'ascii'); // size[12]
  header.write(octalField(Math.max(0, Math.floor(mtimeMs / 1000)), 11), 136, 'ascii'); // mtime[12]
  header.write('        ', 148, 'ascii'); // chksum[8]: spaces while summing
  header.write('0', 156, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 'ascii'); // magic[6]
  header.write('00', 263, 'ascii'); // version[2]
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii'); // chksum: 6 digits, NUL, space
  return header;
}

/** The entries as one uncompressed tar stream, in the order given. */
export function tarArchive(entries: readonly TarEntry[], options: TarOptions): Buffer {
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (seen.has(entry.name)) {
      throw new SupportBundleError('BAD_ENTRY', `tar entry "${entry.name}" is there twice`, entry.name);
    }
    seen.add(entry.name);
    parts.push(ustarHeader(entry.name, entry.body.length, options.mtimeMs), entry.body);
    const padding = (BLOCK - (entry.body.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding, 0));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0)); // end of archive: two zero blocks
  return Buffer.concat(parts);
}

/** The entries as a .tar.gz. */
export function tarGz(entries: readonly TarEntry[], options: TarOptions): Buffer {
  return gzipSync(tarArchive(entries, options));
}
