import { finding } from '../finding';
import type { CanObservation, SerialObservation } from '../observations';
import type { Finding } from '../report-schema';
import type { DoctorSettings } from '../settings';
import { percent, plural } from '../words';

/* The serial port of the module loop and the inverter's CAN interface. */

export function serialFindings(serial: SerialObservation, settings: DoctorSettings): Finding[] {
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
  const findings = [
    finding('serial-opened', 'ok', {
      title: `serial port ${serial.path} open at ${serial.baudRate} baud`,
      detail:
        serial.reportedBaudRate === null
          ? 'The rate the adapter really runs at could not be read back; USB adapters only approximate 612500 baud (T-1).'
          : `The port reports ${serial.reportedBaudRate} baud.`,
    }),
  ];
  if (serial.reportedBaudRate !== null) {
    const off = Math.abs(serial.reportedBaudRate - serial.baudRate) / serial.baudRate;
    if (off > settings.baudRateTolerance) {
      findings.push(
        finding('baud-rate-differs', 'warning', {
          title: `the port runs at ${serial.reportedBaudRate} baud, ${serial.baudRate} asked (${percent(off)} off)`,
          detail:
            `More than ${percent(settings.baudRateTolerance)} off: the boards may not read the line ` +
            "reliably. The adapter's divider cannot make the rate asked.",
          fix: 'Use an adapter that can make the rate (an FTDI FT232R gives about 615385 baud), or try --baud 617647 (T-1).',
        }),
      );
    }
  }
  return findings;
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
