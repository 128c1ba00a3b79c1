import { finding } from '../finding';
import { lineQuality, type LineQuality } from '../line-rates';
import type { CanObservation, RateProbeObservation, SerialObservation } from '../observations';
import type { Finding } from '../report-schema';
import { plural } from '../words';

/* The serial port of the module loop and the inverter's CAN interface. */

export function serialFindings(serial: SerialObservation): Finding[] {
  if (!serial.opened) {
    return [
      finding('serial-open-failed', 'problem', {
        title: `cannot open ${serial.path}: ${serial.error ?? 'unknown error'}`,
        detail: 'Nothing on the module loop could be checked.',
        fix:
          'Check the path (ls -l /dev/serial/by-id/), that the adapter is plugged in, that this user may ' +
          'use it (the dialout group), and that nothing else holds it: stop the controller first ' +
          '(sudo systemctl stop tsbms-controller).',
      }),
    ];
  }
  const asked = serial.baudRate;
  const checked = serial.checkedAtBaud;
  const qualities = serial.rateProbes.map((probe) => ({ probe, quality: lineQuality(probe) }));
  const askedProbe = qualities.filter((q) => q.probe.baudRate === asked).at(-1);
  const clean = qualities.filter((q) => q.quality === 'clean').map((q) => q.probe.baudRate);
  const findings: Finding[] = [
    finding('serial-opened', 'ok', {
      title: clean.includes(checked)
        ? `serial port ${serial.path} open; the loop answers cleanly at ${checked} baud`
        : `serial port ${serial.path} open at ${asked} baud`,
      detail: [
        `Rates tried: ${qualities
          .map((q, i) => {
            const again = qualities
              .slice(0, i)
              .some((earlier) => earlier.probe.baudRate === q.probe.baudRate);
            return `${q.probe.baudRate} ${describeProbe(q.probe, q.quality)}${again ? ' when tried again' : ''}`;
          })
          .join('; ')}.`,
        echoSentence(qualities.map((q) => q.probe)),
        serial.framingErrors === null
          ? 'Framing errors: this port does not count them (a pseudo-terminal, a driver without counters, or the serial addon of hal-linux not built: npm rebuild @tsbms/hal-linux).'
          : `Framing errors during the checks at ${checked} baud: ${serial.framingErrors}.`,
      ].join(' '),
    }),
  ];
  if (checked !== asked && askedProbe !== undefined) {
    findings.push(
      finding('baud-rate-mismatch', 'problem', {
        title: `the boards answer at ${checked} baud, not at the ${asked} asked`,
        detail:
          `At ${asked} baud the line was ${describeProbe(askedProbe.probe, askedProbe.quality)}. ` +
          'The adapter makes its own approximation of each rate asked (T-1), and at this one the boards ' +
          `and the port do not read each other. Clean at: ${clean.join(', ')} baud. The checks below ran at ${checked} baud.`,
        fix: `Set serial.baudRate: ${checked} in the config (or start with --baud ${checked}).`,
      }),
    );
  } else if (clean.length === 0 && qualities.some((q) => q.quality === 'garbled')) {
    findings.push(
      finding('line-garbled', 'problem', {
        title: `bytes come back damaged at every rate tried (${qualities.map((q) => q.probe.baudRate).join(', ')} baud)`,
        detail:
          'The loop returns bytes, so it is closed, but not one rate gave clean replies: the signal ' +
          "itself is bad, or the adapter cannot come near the boards' 612500 baud at any of these rates.",
        fix:
          "Check the ground between the adapter and the loop, the logic levels (the boards' isolated " +
          "side powered from the adapter's 5 V or 3.3 V), the cable length, and the adapter: an FTDI " +
          'FT232R makes about 615385 baud; adapters with a fixed rate table may round 612500 too far.',
      }),
    );
  }
  if (serial.framingErrors !== null && serial.framingErrors > 0 && clean.includes(checked)) {
    findings.push(
      finding('framing-errors', 'warning', {
        title: `the port counted ${plural(serial.framingErrors, 'framing error')} during the checks at ${checked} baud`,
        detail:
          'A framing error is a byte whose stop bit arrived low: noise on the line, or a rate at the ' +
          'edge of what the boards read. The probe at this rate was clean, so it comes and goes.',
        fix: `Check the cables and the ground; if it persists, try another clean rate (${clean.join(', ')} baud).`,
      }),
    );
  }
  return findings;
}

/** "clean", "silent", "garbled (2 of 6 transactions damaged, 5 framing errors)", "not opened: …". */
function describeProbe(probe: RateProbeObservation, quality: LineQuality): string {
  if (quality === 'closed') return `not opened (${probe.error ?? 'unknown error'})`;
  if (quality !== 'garbled') return quality;
  const outcomes = [...probe.echoes, ...probe.reads];
  const bad = outcomes.filter((o) => o !== 'answered' && o !== 'NO_SUCH_MODULE').length;
  const framing = probe.framingErrors ? `, ${plural(probe.framingErrors, 'framing error')}` : '';
  return `garbled (${bad} of ${plural(outcomes.length, 'transaction')} failed${framing})`;
}

/** What the requests to an address nobody has say about the loop. */
function echoSentence(probes: readonly RateProbeObservation[]): string {
  const echoes = probes.flatMap((p) => p.echoes);
  if (echoes.length === 0) return 'The echo check was skipped: the pack uses every address.';
  if (echoes.includes('NO_SUCH_MODULE'))
    return 'Requests to an address no board has came back unchanged: the loop is closed and carries bytes all the way round.';
  if (echoes.every((e) => e === 'TIMEOUT'))
    return 'Requests to an address no board has never came back: the loop is open (or a board in it is unpowered).';
  return 'Requests to an address no board has came back damaged.';
}

export function canFindings(can: CanObservation | null): Finding[] {
  if (can === null) return [];
  const iface = can.iface;
  if (!can.opened) {
    return [
      finding('can-unavailable', 'problem', {
        title: `CAN interface ${iface}: ${can.error ?? 'cannot be opened'}`,
        detail: 'The inverter cannot be told the charge and discharge limits over this interface.',
        fix:
          `Bring it up at the inverter's bit rate, e.g. \`ip link set ${iface} type can bitrate 500000 ` +
          `restart-ms 100 && ip link set ${iface} up\` (apps/controller/deploy: systemd-networkd does it ` +
          'at boot); check the interface name with `ip link`.',
      }),
    ];
  }
  const findings: Finding[] = [];
  if (can.bitRate !== null && can.expectedBitRate !== null && can.bitRate !== can.expectedBitRate) {
    findings.push(
      finding('can-bit-rate', 'problem', {
        title: `CAN interface ${iface} runs at ${can.bitRate / 1000} kbit/s, the inverter profile uses ${can.expectedBitRate / 1000} kbit/s`,
        detail: 'At a different bit rate the inverter and the BMS do not hear each other.',
        fix: `Set the bit rate: \`ip link set ${iface} down && ip link set ${iface} type can bitrate ${can.expectedBitRate} restart-ms 100 && ip link set ${iface} up\`.`,
      }),
    );
  }
  const seconds = (can.listenedMs / 1000).toFixed(0);
  if (can.framesSeen === 0) {
    findings.push(
      finding('can-silent', 'warning', {
        title: `nothing heard on ${iface} in ${seconds} s`,
        detail:
          'No frame arrived from any other node: the inverter is off or not connected, CAN-H and ' +
          'CAN-L are swapped, the bus lacks its 120 Ω terminations, or the bit rate differs.',
        fix: "Check the cable to the inverter's BMS-CAN port (pins, termination) and that the inverter is on.",
      }),
    );
  } else if (can.inverterFramesSeen === 0) {
    findings.push(
      finding('can-no-inverter', 'warning', {
        title: `${plural(can.framesSeen, 'frame')} on ${iface} in ${seconds} s, but none from the inverter (0x305)`,
        detail:
          "The bus works, but the inverter's 0x305 (a Victron GX's keep-alive, a Pylontech or SMA " +
          "inverter's reply) did not come: another device is talking, or the inverter is not set to a " +
          'CAN BMS.',
        fix: "Set the inverter's battery type to a CAN-bus BMS of the configured profile, on this port.",
      }),
    );
  }
  if (findings.length === 0) {
    findings.push(
      finding('can-ok', 'ok', {
        title: `CAN interface ${iface} is up; the inverter's 0x305 arrived ${plural(can.inverterFramesSeen, 'time')} in ${seconds} s`,
        detail: `${plural(can.framesSeen, 'frame')} from other nodes${can.bitRate === null ? '' : ` at ${can.bitRate / 1000} kbit/s`}.`,
      }),
    );
  }
  return findings;
}
