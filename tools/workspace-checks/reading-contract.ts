import type * as Model from '@tsbms/battery-model';
import type * as Protocol from '@tsbms/tesla-protocol';

/*
 * tesla-protocol produces scan readings and battery-model consumes them, but neither may import
 * the other (design.md), so each declares the contract itself. These conversions are the
 * identity; they stop type-checking (`nx typecheck @tsbms/tools`) as soon as the two declarations
 * drift apart in either direction.
 */
export const protocolReadingAsModelInput = (reading: Protocol.PackReading): Model.PackReading => reading;
export const modelInputAsProtocolReading = (reading: Model.PackReading): Protocol.PackReading => reading;
