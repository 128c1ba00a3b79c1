/**
 * What a GX says about one of its battery services, as far as it tells a battery monitor (a
 * SmartShunt: ProductName `SmartShunt 500A/50mV`, ProductId 0xA389, on VE.Direct) from the
 * battery tsBMS reports to the GX over CAN. Venus OS's `can-bus-bms` makes that battery a
 * `battery` service too, whose ProductName is the name the BMS sends: seen in the field as the
 * 0x35E manufacturer (`EG4     `, padded) or, when sent, the 0x370/0x371 battery name
 * (`CAN-SMARTBMS-BAT` beside Manufacturer `SHEnergy`); since 2023 it also publishes the 0x35E text
 * as `/Manufacturer` (victronenergy/venus#1152; generic CAN batteries have ProductId 0xB007).
 */
export interface GxBatteryIdentity {
  /** `/ProductName`; null while unknown or invalid. */
  readonly productName: string | null;
  /** `/Manufacturer` (can-bus-bms only); null while unknown, invalid or absent. */
  readonly manufacturer: string | null;
}

/** CAN text fields come padded with spaces or NULs, and Venus matches brand names in any case. */
const normalised = (name: string): string => name.replace(/^[\s\0]+|[\s\0]+$/g, '').toLowerCase();

/**
 * True when the service carries one of the names tsBMS sends the GX (its 0x35E manufacturer
 * name, its 0x370/0x371 battery name), as the ProductName or the Manufacturer, or as the
 * ProductName's first word: reading that service's current would feed tsBMS's own number back to
 * it. Errs on the side of refusing: a name that only starts like ours still counts.
 */
export function isOwnBatteryService(identity: GxBatteryIdentity, ownNames: readonly string[]): boolean {
  const own = ownNames.map(normalised).filter((name) => name.length > 0);
  return [identity.productName, identity.manufacturer].some((text) => {
    if (text === null) return false;
    const name = normalised(text);
    return own.some((ownName) => name === ownName || name.startsWith(`${ownName} `));
  });
}
