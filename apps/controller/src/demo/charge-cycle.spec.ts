import { BehaviorSubject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { cycleCurrentA, runChargeCycle } from './charge-cycle';

describe('cycleCurrentA', () => {
  it('charges for the first half period and discharges for the second', () => {
    expect(cycleCurrentA(0, 20, 600)).toBeCloseTo(0, 9);
    expect(cycleCurrentA(150, 20, 600)).toBeCloseTo(20, 9);
    expect(cycleCurrentA(450, 20, 600)).toBeCloseTo(-20, 9);
    expect(cycleCurrentA(600 + 150, 20, 600)).toBeCloseTo(20, 9);
  });
});

describe('runChargeCycle', () => {
  it('drives the pack current only while the contactors are closed', async () => {
    const clock = new ManualClock();
    const closed$ = new BehaviorSubject(false);
    const currents: number[] = [];
    const subscription = runChargeCycle({ setPackCurrent: (a) => currents.push(a) }, closed$, {
      clock,
      amplitudeA: 10,
      periodS: 40,
    });
    await clock.advanceByMs(5000);
    expect(currents.every((a) => a === 0)).toBe(true);
    closed$.next(true); // at 5 s: an eighth of the period
    expect(currents.at(-1)).toBeCloseTo(10 * Math.sin(Math.PI / 4), 9);
    await clock.advanceByMs(5000); // 10 s: the peak
    expect(currents.at(-1)).toBeCloseTo(10, 9);
    await clock.advanceByMs(20_000); // 30 s: the discharge peak
    expect(currents.at(-1)).toBeCloseTo(-10, 9);
    closed$.next(false);
    expect(currents.at(-1)).toBe(0);
    const count = currents.length;
    subscription.unsubscribe();
    await clock.advanceByMs(5000);
    expect(currents).toHaveLength(count);
  });
});
