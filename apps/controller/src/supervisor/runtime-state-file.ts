import { errorMessage, writeFileAtomically, type ConfigFileSystem } from '../config';
import type { PersistedRuntimeState, RuntimeLogger } from '../runtime';

/**
 * The state that survives a restart (B-6 latched faults, B-36 SoC) in one JSON file. Losing it
 * is never fatal: a missing file is a fresh start, an unreadable one is logged and ignored (the
 * battery model then estimates SoC from voltage, and a latched fault re-latches if still present).
 */
export class RuntimeStateFile {
  constructor(
    readonly file: string,
    private readonly fsx: ConfigFileSystem,
    private readonly logger: RuntimeLogger,
  ) {}

  load(): PersistedRuntimeState | null {
    let text: string;
    try {
      text = this.fsx.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.logger.warn({ event: 'state', file: this.file }, `state file unreadable: ${errorMessage(error)}`);
      return null;
    }
    try {
      const state = JSON.parse(text) as Partial<PersistedRuntimeState> | null;
      if (state?.version !== 1) throw new Error(`unknown version ${String(state?.version)}`);
      return { version: 1, faults: state.faults ?? null, soc: state.soc ?? null };
    } catch (error) {
      this.logger.warn(
        { event: 'state', file: this.file },
        `state file ignored (starting fresh): ${errorMessage(error)}`,
      );
      return null;
    }
  }

  save(state: PersistedRuntimeState): void {
    try {
      writeFileAtomically(this.fsx, this.file, `${JSON.stringify(state)}\n`);
    } catch (error) {
      this.logger.warn({ event: 'state', file: this.file }, `state not saved: ${errorMessage(error)}`);
    }
  }
}
