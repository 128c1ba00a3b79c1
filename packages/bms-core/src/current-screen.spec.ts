import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { CurrentSample } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import {
  INITIAL_CURRENT_SCREEN,
  screenCurrentSample,
  screenCurrentSamples,
  type CurrentScreenState,
} from './current-screen';

const sample = (
  timeMs: number,
  currentA: number,
  quality: CurrentSample['quality'] = 'good',
): CurrentSample => ({
  timeMs,
  currentA,
  quality,
});

/** The verdicts of a sequence of samples, each screened after the one before. */
function verdicts(samples: readonly CurrentSample[], frozenAfterMs: number): string[] {
  let state: CurrentScreenState = INITIAL_CURRENT_SCREEN;
  return samples.map((s) => (state = screenCurrentSample(state, s, frozenAfterMs)).verdict);
}

describe('screenCurrentSample', () => {
  it('never uses NaN, infinities or a sample not newer than the last usable one', () => {
    expect(
      verdicts(
        [
          sample(0, 1),
          sample(100, Number.NaN),
          sample(100, 2),
          sample(100, 3),
          sample(50, 3),
          sample(200, Infinity),
        ],
        10_000,
      ),
    ).toEqual(['use', 'notANumber', 'use', 'outOfOrder', 'outOfOrder', 'notANumber']);
  });

  it('takes the same non-zero value for frozenAfterMs as frozen, until the value changes', () => {
    const samples = [0, 500, 999, 1000, 1500].map((t) => sample(t, 12.5));
    expect(verdicts([...samples, sample(1600, 12.501), sample(1700, 12.5)], 1000)).toEqual([
      'use',
      'use',
      'use',
      'frozen',
      'frozen',
      'use',
      'use',
    ]);
  });

  it('a steady zero (deadband) and a saturated (overrange) reading are never frozen', () => {
    expect(
      verdicts(
        [0, 1000, 5000].map((t) => sample(t, 0)),
        1000,
      ),
    ).toEqual(['use', 'use', 'use']);
    expect(
      verdicts(
        [0, 1000, 5000].map((t) => sample(t, 500, 'overrange')),
        1000,
      ),
    ).toEqual(['use', 'use', 'use']);
  });

  it('an overrange reading between equal values restarts the frozen timer', () => {
    expect(
      verdicts([sample(0, 5), sample(600, 5, 'overrange'), sample(900, 5), sample(1800, 5)], 1000),
    ).toEqual(['use', 'use', 'use', 'use']);
  });
});

describe('screenCurrentSamples (marbles, virtual ms)', () => {
  it('holds back a frozen run and logs once when it starts and once when it ends', () => {
    const logger = new RecordingLogger();
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(
      ({ cold, expectObservable }) => {
        // a new sample every 10 ms; the value sticks at 7 A from 10 ms on, then moves at 60 ms
        const values = { a: 3, b: 7, c: 8 };
        let t = 0;
        const samples$ = cold('a 9ms b 9ms b 9ms b 9ms b 9ms b 9ms c', values).pipe(
          map((currentA) => sample((t += 10), currentA)),
        );
        expectObservable(
          samples$.pipe(
            screenCurrentSamples('shunt', logger, 30),
            map((s) => s.currentA),
          ),
        ).toBe('a 9ms b 9ms b 9ms b 29ms c', values);
      },
    );
    expect(logger.lines.map((line) => [line.level, line.message])).toEqual([
      [
        'warn',
        'shunt: the same current for too long: the sensor looks frozen; not used for the pack current (SoC falls back to voltage)',
      ],
      ['info', 'shunt: usable current again (8 A)'],
    ]);
  });
});
