import type { CanFrame } from '@tsbms/hal';
import { requireStandardCanId, type CanShuntProtocol, type CanShuntReading } from './can-shunt-protocol';
import { decodeLemCabFrame, describeLemCabError, LEM_CAB_DEFAULT_CAN_ID } from './lem-cab-frames';

export interface LemCabProtocolOptions {
  /** The sensor's id, where it is not the factory 0x3C2. */
  readonly canId?: number;
}

const NAME = 'LEM CAB';

/**
 * A LEM CAB300 or CAB500 as a {@link CanShuntProtocol}: one current message (mA, offset
 * 0x80000000). A message whose error bit is set is dropped, whatever current it carries; one
 * shorter than 5 bytes too. The sensor measures no voltage and counts no charge.
 */
export function lemCabProtocol(options: LemCabProtocolOptions = {}): CanShuntProtocol {
  const canId = requireStandardCanId(NAME, 'canId', options.canId ?? LEM_CAB_DEFAULT_CAN_ID);
  return {
    name: NAME,
    canIds: [canId],
    readsBusVoltage: false,
    readsCharge: false,
    read(frame: CanFrame): CanShuntReading | undefined {
      if (frame.id !== canId) return undefined;
      const decoded = decodeLemCabFrame(frame.data);
      if (!decoded.ok) return { kind: 'dropped', reason: decoded.reason };
      const { currentMilliA, error, errorCode } = decoded.frame;
      if (error) return { kind: 'dropped', reason: `error flagged: ${describeLemCabError(errorCode)}` };
      return { kind: 'current', currentA: currentMilliA / 1000, quality: 'good' };
    },
  };
}
