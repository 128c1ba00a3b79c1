import { CHIP_FLAG_MEANINGS, flagsMeaning } from './chip-flags';

describe('chip flag meanings', () => {
  it('follow bms-behaviour.md §2.3: trips and broken boards are faults, link and memory errors warnings', () => {
    expect(
      flagsMeaning('fault', Object.keys(CHIP_FLAG_MEANINGS) as (keyof typeof CHIP_FLAG_MEANINGS)[]),
    ).toEqual(['COV', 'CUV', 'OT1', 'OT2', 'TSD', 'I_FAULT', 'UVLO']);
    expect(flagsMeaning('warning', ['CRC', 'COV', 'PARITY', 'POR', 'ECC_ERR'])).toEqual([
      'CRC',
      'PARITY',
      'ECC_ERR',
    ]);
    expect(flagsMeaning('setup', ['SLEEP', 'AR', 'CRC', 'POR'])).toEqual(['AR', 'POR']);
    expect(flagsMeaning('info', ['FORCE', 'SLEEP', 'TSD'])).toEqual(['FORCE', 'SLEEP']);
  });
});
