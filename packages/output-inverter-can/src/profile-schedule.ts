import type { Observable } from 'rxjs';
import type { CanFrame } from '@tsbms/hal';
import {
  pylontechFrameSchedule,
  smaFrameSchedule,
  victronFrameSchedule,
  type ScheduleOptions,
  type VictronBatteryIdentity,
  type VictronBmsSnapshot,
} from '@tsbms/inverter-can';
import type { InverterProfile } from './inverter-config';

/*
 * What differs between the profiles once the section is validated: the frames and their rhythm
 * (each profile's schedule in @tsbms/inverter-can), and what the inverter is called in the status
 * and the log. Every profile reads the same snapshot, so one limits model drives them all.
 */

/** The publishing schedule of `profile`, from the latest snapshot. */
export function profileFrameSchedule(
  profile: InverterProfile,
  snapshots$: Observable<VictronBmsSnapshot>,
  identity: VictronBatteryIdentity,
  options: ScheduleOptions,
): Observable<CanFrame> {
  switch (profile) {
    case 'victron':
      return victronFrameSchedule(snapshots$, identity, options);
    case 'pylontech':
      return pylontechFrameSchedule(snapshots$, identity, options);
    case 'sma-sunny-island':
      return smaFrameSchedule(snapshots$, identity, options);
  }
}

/**
 * Who sends 0x305 on the profile's bus: a Victron GX (its keep-alive, V-6), a Pylontech-speaking
 * inverter (tolerated, P-9), a Sunny Island (its own battery view, sma-sunny-island-can.md §9).
 */
export const PEER_NAME: Readonly<Record<InverterProfile, string>> = {
  victron: 'GX',
  pylontech: 'inverter',
  'sma-sunny-island': 'Sunny Island',
};

/** The profile as people write it, in log lines. */
export const PROFILE_TITLE: Readonly<Record<InverterProfile, string>> = {
  victron: 'Victron',
  pylontech: 'Pylontech',
  'sma-sunny-island': 'SMA Sunny Island',
};
