import type { Clock, Logger } from '@tsbms/hal';
import { stateLostFault } from '@tsbms/fault-engine';
import {
  errorMessage,
  nodeFileSystem,
  replaceFileKeepingPrevious,
  syncDirectory,
  writeFileAtomically,
  type ConfigFileSystem,
} from '../config';
import type { PersistedBmsState, StateFileStatus, StateStore } from '@tsbms/bms-core';
import { dirname } from 'node:path';

/** What loading found. */
export type StateFileLoad =
  | { readonly kind: 'loaded'; readonly state: PersistedBmsState }
  /** No file and no trace of one: nothing can have latched before. */
  | { readonly kind: 'firstStart' }
  /** Missing while FILE.previous shows it existed, unreadable, truncated, or of an unknown version. */
  | { readonly kind: 'lost'; readonly reason: string };

/**
 * The state that survives a restart (B-6 latched faults, B-36 SoC) in one JSON file, written
 * atomically with fsync (FILE.tmp, then renamed; the former file kept as FILE.previous). Losing it
 * must never let the contactors close over a latched fault that was forgotten: a file that is
 * missing while its previous copy exists, or that cannot be read, is reported `lost`, and the
 * BMS starts with a latched `stateLost` fault (see {@link stateAfterLoad}).
 */
export class RuntimeStateFile implements StateStore {
  private lastSavedMs: number | null = null;
  private saveError: string | null = null;

  constructor(
    readonly file: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly fsx: ConfigFileSystem = nodeFileSystem,
  ) {}

  /** The state the first core starts from (bms-core's StateStore): see {@link stateAfterLoad}. */
  loadState(): PersistedBmsState | null {
    return stateAfterLoad(this.load(), this.file, this.clock.now(), this.logger);
  }

  load(): StateFileLoad {
    let text: string;
    try {
      text = this.fsx.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        return { kind: 'lost', reason: errorMessage(error) };
      return this.exists(`${this.file}.previous`)
        ? { kind: 'lost', reason: `missing, though ${this.file}.previous shows it was saved before` }
        : { kind: 'firstStart' };
    }
    try {
      const state = JSON.parse(text) as Partial<PersistedBmsState> | null;
      if (state?.version !== 1) throw new Error(`unknown version ${String(state?.version)}`);
      return {
        kind: 'loaded',
        state: {
          version: 1,
          faults: state.faults ?? null,
          soc: state.soc ?? null,
          energy: state.energy ?? null,
        },
      };
    } catch (error) {
      return { kind: 'lost', reason: `unreadable: ${errorMessage(error)}` };
    }
  }

  /** Writes `state` with fsync; a failure is logged once per cause and shown by {@link status}. */
  save(state: PersistedBmsState): boolean {
    const text = `${JSON.stringify(state)}\n`;
    try {
      if (this.exists(this.file)) {
        replaceFileKeepingPrevious(this.fsx, this.file, text);
        syncDirectory(this.fsx, dirname(this.file));
      } else {
        writeFileAtomically(this.fsx, this.file, text);
      }
    } catch (error) {
      const message = errorMessage(error);
      if (message !== this.saveError) {
        this.logger.error(
          { event: 'state', file: this.file, error: message },
          `state file cannot be saved (latched faults would not survive a crash): ${message}`,
        );
      }
      this.saveError = message;
      return false;
    }
    if (this.saveError !== null)
      this.logger.info({ event: 'state', file: this.file }, 'state file saved again');
    this.saveError = null;
    this.lastSavedMs = this.clock.now();
    return true;
  }

  status(): StateFileStatus {
    return {
      file: this.file,
      ok: this.saveError === null,
      lastSavedMs: this.lastSavedMs,
      error: this.saveError,
    };
  }

  private exists(path: string): boolean {
    try {
      this.fsx.statSync(path);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * The state a core starts from after loading: as saved; nothing at a first start; after a loss, a
 * latched `stateLost` fault (contactors stay open until an operator acknowledges it) and no SoC.
 */
export function stateAfterLoad(
  load: StateFileLoad,
  file: string,
  nowMs: number,
  logger: Logger,
): PersistedBmsState | null {
  switch (load.kind) {
    case 'loaded':
      return load.state;
    case 'firstStart':
      logger.info({ event: 'state', file }, `no state file yet: first start, creating ${file}`);
      return null;
    case 'lost': {
      const detail = `state file ${file} ${load.reason}`;
      logger.error(
        { event: 'state', file, reason: load.reason },
        `${detail}: latched faults may have been lost, contactors stay open until the stateLost fault is acknowledged`,
      );
      return { version: 1, faults: { version: 1, faults: [stateLostFault(detail, nowMs)] }, soc: null };
    }
  }
}
