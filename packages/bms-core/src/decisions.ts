import { distinctUntilChanged, map, merge, skip, type Observable } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { Bms } from './create-bms';

/** One decision of the core, as a JSON-serialisable fact (`--replay` prints them as JSON lines). */
export type BmsDecision =
  | {
      readonly atMs: number;
      readonly decision: 'fault';
      /** raise, clear, acknowledge, acknowledgeRejected */
      readonly event: string;
      readonly kind: string;
      readonly level: string;
      readonly location: Readonly<Record<string, unknown>>;
      readonly latched: boolean;
    }
  | {
      readonly atMs: number;
      readonly decision: 'contactors';
      readonly state: string;
      readonly openReason: string | null;
    }
  | {
      readonly atMs: number;
      readonly decision: 'limits';
      readonly cvlV: number;
      readonly cclA: number;
      readonly dclA: number;
    };

/**
 * The core's decisions from subscription on, in the order it takes them: fault events, every
 * contactor state change, and the charge limits whenever one of them changes. Two runs on the same readings give the same list.
 */
export function bmsDecisions(bms: Bms, clock: Clock): Observable<BmsDecision> {
  return merge(
    bms.events$.pipe(
      map(
        (e): BmsDecision => ({
          atMs: clock.now(),
          decision: 'fault',
          event: e.type,
          kind: e.kind,
          level: e.level,
          location: e.location as Readonly<Record<string, unknown>>,
          latched: e.latched,
        }),
      ),
    ),
    // Changes only: the state the core starts in (replayed at subscription) is not a decision.
    bms.contactors$.pipe(
      skip(1),
      distinctUntilChanged((a, b) => a.state === b.state && a.openReason === b.openReason),
      map(
        (c): BmsDecision => ({
          atMs: clock.now(),
          decision: 'contactors',
          state: c.state,
          openReason: c.openReason,
        }),
      ),
    ),
    bms.limits$.pipe(
      distinctUntilChanged((a, b) => a.cvlV === b.cvlV && a.cclA === b.cclA && a.dclA === b.dclA),
      map(
        (l): BmsDecision => ({
          atMs: clock.now(),
          decision: 'limits',
          cvlV: l.cvlV,
          cclA: l.cclA,
          dclA: l.dclA,
        }),
      ),
    ),
  );
}
