/**
 * Runs inside user-mode Linux with vcan0 up (tools/with-vcan), driven by
 * current-sensors-on-vcan.spec.ts: the CAN shunt drivers read on hal-linux's SocketCanBus what
 * other sockets put on the real vcan0 — the emulated shunts, and cansend (the independent writer)
 * with frames laid out by hand from the shunts' documents, good ones and ones that must be
 * dropped. Prints one JSON object on stdout for the spec; exits 1 if a step did not finish.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/workspace-checks/guest/current-sensors-on-vcan.ts
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { filter, firstValueFrom, take, timeout, toArray, type Observable } from 'rxjs';
import { systemClock, type CanFrame } from '@tsbms/hal';
import { RecordingLogger, reportGuestResults } from '@tsbms/hal/testing';
import { SocketCanBus } from '@tsbms/hal-linux';
import {
  CanShuntCurrentSource,
  EmulatedIvtS,
  EmulatedLemCab,
  ivtSProtocol,
  lemCabProtocol,
} from '@tsbms/current-sensors';

const IFACE = 'vcan0';
// Real kernel I/O: an upper bound only, never an asserted duration.
const WAIT_CAP_MS = 5000;
const run = promisify(execFile);

const cansend = (frame: string) => run('cansend', [IFACE, frame]);

/** cansend's notation of a frame: `521#0001000186A0`. */
const cansendNotation = (frame: CanFrame) =>
  `${frame.id.toString(16).padStart(3, '0')}#${Buffer.from(frame.data).toString('hex')}`;

/** cansend processes still running. */
const inFlight = new Set<Promise<unknown>>();

/**
 * The emulated IVT-S's socket: its factory ids are at or above 0x400, which SocketCanBus refuses
 * to send (V-1), so each of its frames leaves through cansend's own raw socket.
 */
const cansendBus = {
  send: (frame: CanFrame): Promise<void> => {
    const sent = cansend(cansendNotation(frame)).then(() => undefined);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    return sent;
  },
};

const next = <T>(stream: Observable<T>, count: number) =>
  firstValueFrom(stream.pipe(take(count), toArray(), timeout(WAIT_CAP_MS)));

void reportGuestResults(async (results) => {
  const reader = new SocketCanBus({ iface: IFACE });
  const lemNode = new SocketCanBus({ iface: IFACE });
  await reader.open();
  await lemNode.open();
  const logger = new RecordingLogger();
  const ivt = new CanShuntCurrentSource({
    bus: reader,
    clock: systemClock,
    protocol: ivtSProtocol(),
    logger,
    description: 'IVT-S on vcan0',
  });
  const lem = new CanShuntCurrentSource({
    bus: reader,
    clock: systemClock,
    protocol: lemCabProtocol(),
    logger,
    description: 'LEM CAB on vcan0',
  });
  if (!ivt.busVoltage$ || !ivt.chargeAh$) throw new Error('the IVT-S source has no bus voltage or charge');
  /**
   * Returns once every frame sent so far has been read: vcan0 delivers in the order sent, so when
   * a marker frame sent now arrives, nothing sent before it is still on its way.
   */
  const drain = async () => {
    await Promise.allSettled([...inFlight]);
    const marker = firstValueFrom(
      reader.frames$.pipe(
        filter((frame) => frame.id === 0x7ff),
        timeout(WAIT_CAP_MS),
      ),
    );
    await cansend('7ff#');
    await marker;
  };

  // The emulated CAB on a SocketCanBus of its own, at its factory id 0x3C2.
  const cab = new EmulatedLemCab({ bus: lemNode, clock: systemClock, intervalMs: 20 });
  cab.setCurrent(-123.456);
  results['lemEmulated'] = await next(lem.current$, 3);
  cab.stop();
  await drain();
  results['cabSendFailures'] = cab.sendFailures;

  // The emulated IVT-S at its factory ids, the As counter enabled.
  const shuntCurrent = next(ivt.current$, 3);
  const shuntVoltage = next(ivt.busVoltage$, 1);
  const shuntCharge = next(ivt.chargeAh$, 1);
  const shunt = new EmulatedIvtS({
    bus: cansendBus,
    clock: systemClock,
    cycleTimesMs: { current: 100, voltage1: 250, charge: 250 },
  });
  shunt.setCurrent(87.5);
  shunt.setVoltage('voltage1', 51.2);
  results['ivtEmulated'] = {
    current: await shuntCurrent,
    busVoltage: await shuntVoltage,
    charge: await shuntCharge,
  };
  shunt.stop();
  await drain();
  results['shuntSendFailures'] = shunt.sendFailures;

  // Frames laid out by hand (the same as the codec specs' fixtures), sent by cansend.
  const handCurrent = next(ivt.current$, 1);
  const handVoltage = next(ivt.busVoltage$, 1);
  const handCharge = next(ivt.chargeAh$, 1);
  const handLem = next(lem.current$, 1);
  for (const frame of ['521#0001000186a0', '522#01030000ccba', '527#0600fffff1f0', '3c2#7ffe1dc000000000'])
    await cansend(frame);
  results['handWritten'] = {
    current: await handCurrent,
    busVoltage: await handVoltage,
    charge: await handCharge,
    lem: await handLem,
  };

  // Frames the drivers must drop, then one good frame each: frames from one socket arrive in
  // order, so when the good one is read the bad ones before it have been dealt with.
  results['countersBefore'] = { ivt: ivt.counters(), lem: lem.counters() };
  const afterIvt = next(ivt.current$, 1);
  const afterLem = next(lem.current$, 1);
  for (const frame of [
    '3c2#8000271087000000', // error bit, code 0x43 (fluxgate not oscillating)
    '3c2#80002710', // 4 bytes: no error byte
    '521#004000002710', // measurement error flagged
    '521#000100', // 3 bytes
    '521#0b0100002710', // mux 0x0B: no result channel
    '521#0002ffff59fc', // good: -42.5 A
    '3c2#8003d09000000000', // good: 250 A
  ])
    await cansend(frame);
  results['afterDrops'] = { ivt: await afterIvt, lem: await afterLem };
  results['countersAfter'] = { ivt: ivt.counters(), lem: lem.counters() };
  results['log'] = logger.lines.map((line) => `${line.level} ${line.message}`);

  await ivt.close();
  await lem.close();
  await lemNode.close();
  await reader.close();
});
