import { finding } from '../finding';
import type {
  DiscoveryObservation,
  ProbeObservation,
  RenumberingObservation,
  TransactionFailure,
} from '../observations';
import type { Finding } from '../report-schema';
import { addressList, modulesWord, plural } from '../words';

/*
 * Discovery, read-only (T-14): each address 1..N was probed, and address 0 when one failed. How a
 * probe failed says where the loop is broken (T-5): no byte at all = the loop is open somewhere;
 * the request back unchanged = the loop is closed but nobody at that address; a module at
 * address 0 = a board that lost its address (power, reset) and must be renumbered (T-15).
 */

const FIX_ADDRESSES =
  'Run the doctor again with --fix-addresses: it resets every board and assigns addresses 1, 2, … in ' +
  'loop order (T-15), then checks the readings. The controller does the same by itself when it starts.';

const SILENT_LOOP_FIX =
  'Check that every board has power (the connector supply and its six cells) and that every loop ' +
  'cable is plugged in, and that TX and RX are not swapped at the adapter. Then find the break by ' +
  "shortening the loop: connect the host's RX to the output of module 1 and run the doctor with " +
  "--modules 1, then to module 2's output with --modules 2, and so on. The first short loop that " +
  'stays silent ends at the module to look at (its board, its power, or the cable into it).';

export function discoveryFindings(discovery: DiscoveryObservation): Finding[] {
  if (discovery.renumbering !== null) return renumberingFindings(discovery, discovery.renumbering);
  const expected = discovery.expectedCount;
  const answered = discovery.probes.filter((p) => p.answered).map((p) => p.address);
  const failed = discovery.probes.filter((p) => !p.answered);
  if (failed.length === 0) {
    return [
      finding('discovery-ok', 'ok', {
        title: `discovery: ${expected} of ${expected} modules answer (addresses ${addressList(answered)}, kept)`,
        detail:
          'Every expected address answered its probe, so nothing was renumbered and no board was reset (T-14).',
      }),
    ];
  }
  const unaddressed = discovery.unaddressed?.answered === true;
  if (answered.length === 0) return nothingAnswered(discovery, unaddressed);
  return failed.map((probe) => someAnswered(probe, answered, expected, unaddressed));
}

function nothingAnswered(discovery: DiscoveryObservation, unaddressed: boolean): Finding[] {
  const expected = discovery.expectedCount;
  if (unaddressed) {
    return [
      finding('renumbering-needed', 'problem', {
        title: `discovery found 0 of ${expected} modules: the boards have no addresses yet (renumbering needed)`,
        detail:
          'No expected address answers, but a board answers at address 0: the boards lost their ' +
          'addresses, as they do whenever they are without power or reset, so they must be numbered ' +
          'again. The doctor does not renumber on its own: it resets every board.',
        fix: FIX_ADDRESSES,
      }),
    ];
  }
  const failures = new Set([...discovery.probes.map((p) => p.failure), discovery.unaddressed?.failure]);
  failures.delete(undefined);
  if (failures.size === 1 && failures.has('TIMEOUT')) {
    return [
      finding('loop-silent', 'problem', {
        title: `discovery found 0 of ${expected} modules: nothing comes back, the loop is open`,
        detail:
          'No module answers and not a single byte returns to the host. Every reply travels through ' +
          'all the modules after it back to the host, so one board without power, one hung board ' +
          'or one loose cable anywhere silences the whole loop, and the serial line alone cannot ' +
          'tell which module it is.',
        fix: SILENT_LOOP_FIX,
      }),
    ];
  }
  if (failures.size === 1 && failures.has('NO_SUCH_MODULE')) {
    return [
      finding('loop-bridged', 'problem', {
        title: `discovery found 0 of ${expected} modules: requests come back unchanged, no module takes part`,
        detail:
          "Every request returns to the host exactly as sent: the host's TX reaches its RX, but no " +
          'board answers, not even at address 0. The loop is bridged (TX wired to RX, a loop-back ' +
          'plug) or the boards cannot read the line.',
        fix:
          "Check the wiring from the adapter's TX to module 1's input and from the last module's output " +
          'back to RX; check the boards have power; try --baud 617647 (some board revisions need it, T-1).',
      }),
    ];
  }
  return [
    finding('loop-noise', 'problem', {
      title: `discovery found 0 of ${expected} modules: bytes come back, but never as a valid reply`,
      detail:
        `The probes failed with ${listFailures(discovery.probes)}: something answers, but garbled. ` +
        'That is what a wrong baud rate, mismatched signal levels (a 3.3 V adapter on a 5 V loop) ' +
        'or a very noisy line look like.',
      fix:
        "Try --baud 617647 (T-1), check the adapter runs at the loop's voltage and that its ground " +
        "is the loop's ground, and keep the serial cable away from the power cables.",
    }),
  ];
}

function someAnswered(
  probe: ProbeObservation,
  answered: readonly number[],
  expected: number,
  unaddressed: boolean,
): Finding {
  const a = probe.address;
  const found = `discovery found ${answered.length} of ${expected} modules`;
  if (unaddressed || (probe.failure === 'NO_SUCH_MODULE' && answered.some((other) => other > a))) {
    return finding(
      'renumbering-needed',
      'problem',
      {
        title: `${found}: module ${a} does not answer at its address (renumbering needed)`,
        detail: unaddressed
          ? `Module ${a} does not answer at address ${a}, and a board without an address answers at ` +
            'address 0: a board was reset or lost power (or was replaced) since the pack was numbered. ' +
            'The first board without an address in loop order takes address 0, so it is most likely ' +
            `the board at place ${a}.`
          : `The request to address ${a} comes back unchanged although modules after it answer: ` +
            'a board holds another address than its place in the loop.',
        fix: FIX_ADDRESSES,
      },
      a,
    );
  }
  if (probe.failure === 'NO_SUCH_MODULE') {
    const last = Math.max(...answered);
    return finding(
      'module-missing',
      'problem',
      {
        title: `${found}: module ${a} is not on the loop (the loop closes after module ${last})`,
        detail:
          `The request to module ${a} comes back unchanged: the loop is closed and intact, but it ` +
          `returns to the host after module ${last}, so module ${a} is not part of it.`,
        fix:
          `If the pack has ${last} modules, run with --modules ${last} (pack.moduleCount in the config). ` +
          `Otherwise connect module ${last}'s output to module ${last + 1}'s input, and the last ` +
          "module's output back to the host's RX.",
      },
      a,
    );
  }
  const damaged = probe.failure === 'CRC' || probe.failure === 'BAD_FRAME';
  return finding(
    'module-not-answering',
    'problem',
    {
      title: damaged
        ? `${found}: module ${a} answers only with damaged replies (${probe.failure === 'CRC' ? 'CRC errors' : 'garbled frames'})`
        : `${found}: module ${a} does not answer (unpowered, hung, or too slow)`,
      detail: damaged
        ? `Module ${a}'s replies arrived damaged in every attempt, while ${modulesWord(answered)} ` +
          'answered over the same cables: the damage happens on its board.'
        : `No reply from module ${a} (${failureWords(probe.failure)}) while ${modulesWord(answered)} ` +
          'answered through it: its board passes frames on but does not answer its own.',
      fix:
        `Check module ${a}'s board: its supply and ground, the cell sense harness, and its connectors; ` +
        'power it off and on; if it stays so, replace the board.',
    },
    a,
  );
}

function renumberingFindings(
  discovery: DiscoveryObservation,
  renumbering: RenumberingObservation,
): Finding[] {
  const expected = discovery.expectedCount;
  const assigned = renumbering.addresses;
  const findings: Finding[] = [];
  if (renumbering.end === 'error') {
    const next = assigned.length + 1;
    findings.push(
      finding(
        'renumbering-failed',
        'problem',
        {
          title: `renumbering stopped at module ${next}: ${renumbering.error ?? 'unknown error'}`,
          detail:
            `${plural(assigned.length, 'module')} got an address before module ${next} failed to take ` +
            'its own or to confirm it by read-back (T-15).',
          fix: `Look at module ${next}'s board and the cable into it, then run again with --fix-addresses.`,
        },
        next <= 62 ? next : undefined,
      ),
    );
  } else if (assigned.length === 0) {
    findings.push(
      finding('loop-bridged', 'problem', {
        title: 'renumbering found no module: the reset came back, but no board took an address',
        detail: 'The broadcast reset returned, so the line is closed, but no board answered at address 0.',
        fix:
          "Check the wiring from the adapter's TX to module 1 and from the last module back to RX, the " +
          "boards' power, and --baud.",
      }),
    );
  } else {
    findings.push(
      finding('addresses-assigned', 'ok', {
        title: `addresses assigned: ${plural(assigned.length, 'module')} at ${addressList(assigned)} (--fix-addresses)`,
        detail: 'Every board was reset and numbered in loop order (T-15).',
      }),
    );
  }
  if (renumbering.end !== 'error' && assigned.length > 0 && assigned.length < expected) {
    const last = assigned.length;
    for (let a = last + 1; a <= expected; a++) {
      findings.push(
        finding(
          'module-missing',
          'problem',
          {
            title: `renumbering found ${last} of ${expected} modules: module ${a} is not on the loop`,
            detail: `After module ${last} no board was left without an address: the loop returns to the host after module ${last}.`,
            fix:
              `If the pack has ${last} modules, run with --modules ${last}. Otherwise connect module ` +
              `${last}'s output to the next module's input and the last output back to the host.`,
          },
          a,
        ),
      );
    }
  }
  if (assigned.length > expected) {
    findings.push(
      finding('module-count-differs', 'warning', {
        title: `renumbering found ${assigned.length} modules, ${expected} expected`,
        detail: `The loop holds more boards than --modules (pack.moduleCount) says.`,
        fix: `Set pack.moduleCount to ${assigned.length} (or --modules ${assigned.length}) if the pack has that many.`,
      }),
    );
  }
  return findings;
}

function failureWords(failure: TransactionFailure | undefined): string {
  switch (failure) {
    case 'TIMEOUT':
      return 'no byte came back';
    case 'NO_SUCH_MODULE':
      return 'the request came back unchanged';
    case 'ECHO_MISMATCH':
      return 'a wrong echo';
    default:
      return 'the transaction failed';
  }
}

function listFailures(probes: readonly ProbeObservation[]): string {
  const counts = new Map<string, number>();
  for (const p of probes) if (p.failure) counts.set(p.failure, (counts.get(p.failure) ?? 0) + 1);
  return [...counts].map(([failure, n]) => `${failure} ×${n}`).join(', ');
}
