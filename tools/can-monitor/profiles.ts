import type { InverterProfile } from './monitor';
import { pylontechProfile } from './pylontech-rules';
import { smaProfile } from './sma-rules';
import { victronProfile } from './victron-rules';

/** The inverter profiles of @tsbms/inverter-can, by `--profile` name; the first is the default. */
export const PROFILES: readonly InverterProfile[] = [victronProfile, pylontechProfile, smaProfile];

export const profileNamed = (name: string): InverterProfile | undefined =>
  PROFILES.find((profile) => profile.name === name);
