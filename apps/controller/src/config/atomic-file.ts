import * as fs from 'node:fs';
import { dirname } from 'node:path';
import type { ConfigFileReader } from './load-config';

/** The file calls persistence makes, passed in so a test can fail any one of them. */
export interface ConfigFileSystem extends ConfigFileReader {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(oldPath: string, newPath: string): void;
  linkSync(existingPath: string, newPath: string): void;
  unlinkSync(path: string): void;
  statSync(path: string): { readonly mode: number };
}

export const nodeFileSystem: ConfigFileSystem = fs;

export const temporaryPath = (file: string) => `${file}.tmp`;
export const previousPath = (file: string) => `${file}.previous`;

/**
 * Replaces `file` with `text` so that a crash at any point leaves `file` either wholly old or
 * wholly new: the text goes to FILE.tmp and is fsynced; the current file is hard-linked as
 * FILE.previous (rather than renamed, so FILE never disappears); FILE.tmp is renamed over FILE.
 * Call {@link syncDirectory} afterwards to make the renames durable.
 */
export function replaceFileKeepingPrevious(fsx: ConfigFileSystem, file: string, text: string): void {
  const mode = fsx.statSync(file).mode & 0o777;
  const tmp = temporaryPath(file);
  writeAndSync(fsx, tmp, Buffer.from(text, 'utf8'), mode);
  const previous = previousPath(file);
  removeIfPresent(fsx, previous);
  fsx.linkSync(file, previous);
  fsx.renameSync(tmp, file);
}

/**
 * Writes `file` so that a crash leaves it wholly old or wholly new (for files nobody edits, such
 * as the runtime state): FILE.tmp, fsync, rename, fsync of the directory.
 */
export function writeFileAtomically(fsx: ConfigFileSystem, file: string, text: string, mode = 0o600): void {
  const tmp = temporaryPath(file);
  writeAndSync(fsx, tmp, Buffer.from(text, 'utf8'), mode);
  fsx.renameSync(tmp, file);
  syncDirectory(fsx, dirname(file));
}

/** fsync of a directory: the entries created or renamed in it survive a power cut. */
export function syncDirectory(fsx: ConfigFileSystem, directory: string): void {
  const fd = fsx.openSync(directory, 'r');
  try {
    fsx.fsyncSync(fd);
  } finally {
    fsx.closeSync(fd);
  }
}

function writeAndSync(fsx: ConfigFileSystem, path: string, bytes: Uint8Array, mode: number): void {
  const fd = fsx.openSync(path, 'w', mode);
  try {
    for (let offset = 0; offset < bytes.length; ) {
      offset += fsx.writeSync(fd, bytes, offset, bytes.length - offset);
    }
    fsx.fsyncSync(fd);
  } finally {
    fsx.closeSync(fd);
  }
}

function removeIfPresent(fsx: ConfigFileSystem, path: string): void {
  try {
    fsx.unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
