import { TWO_BY_TWO_FACTS } from '@tsbms/output-inverter-can/testing';
import { parseControllerConfig } from '../config';
import { victronPackFacts } from './output-services';

describe('victronPackFacts', () => {
  it('derives the spec pack facts output-inverter-can tests with from the config (V-14)', () => {
    const config = parseControllerConfig(
      {
        pack: { moduleCount: 4, parallelStringCount: 2, moduleCapacityAh: 232 },
        cells: { cellHighVoltageV: 4.1, cellLowVoltageV: 3.6 },
        inverter: { interface: 'vcan0' },
      },
      'test',
    );
    expect(victronPackFacts(config)).toEqual(TWO_BY_TWO_FACTS);
  });
});
