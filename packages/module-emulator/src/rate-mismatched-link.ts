import { filter, map, type Observable } from 'rxjs';
import type { ByteLink, LineErrorCounts } from '@tsbms/hal';
import { requireNumberInRange } from './errors';
import { receiveAtRate } from './uart-sampling';

export interface LineRates {
  /** The rate the host's adapter really runs at (adapters round the rate asked for), baud. */
  readonly portBaud: number;
  /** The rate the boards' crystal gives them (612500 from 24.5 MHz / 40, T-1), baud. */
  readonly boardBaud: number;
}

/**
 * The host's end of an emulated loop as it is when the port and the boards run at different
 * rates: what the host writes reaches the boards as their UART samples it, their replies reach
 * the host as its UART samples them (`receiveAtRate`), and the host's UART counts its framing
 * errors, as the kernel does for a serial port. Each chunk is one burst with idle line around it.
 */
export function rateMismatchedLink(link: ByteLink, rates: LineRates): ByteLink {
  const portBaud = requireNumberInRange(rates.portBaud, 'portBaud', 300, 10_000_000);
  const boardBaud = requireNumberInRange(rates.boardBaud, 'boardBaud', 300, 10_000_000);
  let framingErrors = 0;
  const data$: Observable<Uint8Array> = link.data$.pipe(
    map((chunk) => {
      const received = receiveAtRate(chunk, { sentBaud: boardBaud, receivedBaud: portBaud });
      framingErrors += received.framingErrors;
      return received.bytes;
    }),
    filter((bytes) => bytes.length > 0),
  );
  return {
    data$,
    events$: link.events$,
    get isOpen() {
      return link.isOpen;
    },
    write: (bytes) => link.write(receiveAtRate(bytes, { sentBaud: portBaud, receivedBaud: boardBaud }).bytes),
    close: () => link.close(),
    lineErrors: (): LineErrorCounts => ({ framingErrors, overruns: 0 }),
  };
}
