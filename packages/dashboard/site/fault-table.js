import { html, replaceChildren } from './dom.js';
import { formatAge, formatFaultValue, formatLocation, humanizeKind, UNKNOWN } from './format.js';

/*
 * Active faults and alerts. Rows are rebuilt only when a fault changes, not on every snapshot,
 * so an Acknowledge button stays the same element while it is being clicked; ages are updated
 * in place.
 */

const ageText = (nowMs, sinceMs) => (typeof nowMs === 'number' ? formatAge(nowMs - sinceMs) : UNKNOWN);

/** The value that raised the fault and, when it differs, the one at the latest scan (`now`). */
function valueText(fault) {
  const raised = formatFaultValue(fault.kind, fault.value);
  const now = fault.now ? formatFaultValue(fault.kind, fault.now.value) : raised;
  return now === raised ? raised : `${raised} (now ${now})`;
}

/** The latest scan's detail, when it says something else than the one that raised the fault. */
const nowDetail = (fault) =>
  fault.now?.detail !== undefined && fault.now.detail !== fault.detail ? `now: ${fault.now.detail}` : '';

function faultRow(fault, nowMs) {
  const notes = [
    fault.latched ? 'latched' : '',
    fault.clearable ? 'clearable' : '',
    fault.detail ?? '',
    nowDetail(fault),
  ];
  return html(
    'tr',
    {
      'data-testid': 'fault-row',
      'data-level': fault.level,
      'data-kind': fault.kind,
      class: `level-${fault.level}`,
    },
    [
      html('td', { class: 'level', text: fault.level }),
      html('td', { text: humanizeKind(fault.kind) }),
      html('td', { 'data-testid': 'fault-location', text: formatLocation(fault.location) }),
      html('td', { text: valueText(fault) }),
      html('td', { 'data-since-ms': fault.sinceMs, text: ageText(nowMs, fault.sinceMs) }),
      html('td', { text: notes.filter(Boolean).join(', ') }),
      html('td', {}, [
        // Latched faults stay until an operator acknowledges them (B-5); the server decides.
        fault.latched
          ? html('button', {
              type: 'button',
              'data-testid': 'ack-fault',
              'data-ack': JSON.stringify({ kind: fault.kind, location: fault.location }),
              text: 'Acknowledge',
            })
          : null,
      ]),
    ],
  );
}

/** What the rows show, the age aside. */
function signatureOf(active) {
  return JSON.stringify(
    active.map((f) => [
      f.kind,
      f.level,
      f.location,
      valueText(f),
      f.sinceMs,
      f.latched,
      f.clearable,
      f.detail,
      nowDetail(f),
    ]),
  );
}

/** Draws the faults and alerts of `status` into `body` (a tbody), marks `section` by the highest. */
/** @param {import('@tsbms/bms-core').BmsStatus} status */
export function renderFaultTable(section, body, status) {
  const active = [...status.faults, ...status.alerts];
  const signature = signatureOf(active);
  if (body.dataset.signature === signature) {
    for (const cell of body.querySelectorAll('[data-since-ms]')) {
      cell.textContent = ageText(status.timestampMs, Number(cell.dataset.sinceMs));
    }
  } else {
    body.dataset.signature = signature;
    replaceChildren(
      body,
      active.length === 0
        ? [html('tr', { class: 'empty' }, [html('td', { colspan: 7, text: 'no active faults or alerts' })])]
        : active.map((f) => faultRow(f, status.timestampMs)),
    );
  }
  section.dataset.highest = status.faults.length > 0 ? 'fault' : status.alerts.length > 0 ? 'alert' : 'none';
}

/** Calls `acknowledge({ kind, location })` when an Acknowledge button in `body` is clicked. */
export function onAcknowledgeClick(body, acknowledge) {
  body.addEventListener('click', (event) => {
    const button = event.target.closest('[data-ack]');
    if (button !== null) acknowledge(JSON.parse(button.dataset.ack));
  });
}
