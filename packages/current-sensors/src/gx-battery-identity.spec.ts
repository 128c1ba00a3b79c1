import { isOwnBatteryService } from './gx-battery-identity';

const service = (productName: string | null, manufacturer: string | null = null) => ({
  productName,
  manufacturer,
});

describe('isOwnBatteryService', () => {
  it.each([
    ['a SmartShunt', service('SmartShunt 500A/50mV'), ['tsBMS'], false],
    ['a BMV', service('BMV-712 Smart'), ['tsBMS'], false],
    ['a service without names yet', service(null), ['tsBMS'], false],
    ['tsBMS by its 0x35E name', service('tsBMS', 'tsBMS'), ['tsBMS'], true],
    ['the 0x35E name padded with NULs or spaces', service('tsBMS\0\0\0'), ['tsBMS'], true],
    ['the name in another case', service('TSBMS   '), ['tsBMS'], true],
    ['only the Manufacturer', service('Garage pack 16S', 'tsBMS'), ['tsBMS'], true],
    ['the 0x370/0x371 battery name', service('Garage pack 16S', null), ['tsBMS', 'Garage pack 16S'], true],
    ['a ProductName that starts with our name', service('tsBMS battery'), ['tsBMS'], true],
    ['a name that only shares letters', service('tsBMSx'), ['tsBMS'], false],
    ['another CAN-bus BMS', service('CAN-SMARTBMS-BAT', 'SHEnergy'), ['tsBMS'], false],
    ['a renamed tsBMS', service('EG4     '), ['EG4'], true],
  ])('%s', (_, identity, ownNames, own) => {
    expect(isOwnBatteryService(identity, ownNames)).toBe(own);
  });

  it('an empty own name matches nothing', () => {
    expect(isOwnBatteryService(service(''), ['  '])).toBe(false);
  });
});
