import { CLEARABLE_STATUS_FLAGS } from './status-flags';

describe('CLEARABLE_STATUS_FLAGS (T-26)', () => {
  it('are the latched ALERT/FAULT_STATUS bits but POR, AR (setup), FORCE (never written) and SLEEP (wake-up)', () => {
    expect([...CLEARABLE_STATUS_FLAGS].sort()).toEqual(
      ['COV', 'CRC', 'CUV', 'ECC_ERR', 'I_FAULT', 'OT1', 'OT2', 'PARITY', 'TSD'].sort(),
    );
  });
});
