import { getJson, sendJson } from './api.js';
import { renderCellChart } from './cell-chart.js';
import { byTestId, html, replaceChildren } from './dom.js';
import { mergeEvents } from './events.js';
import { onAcknowledgeClick, renderFaultTable } from './fault-table.js';
import {
  formatAge,
  formatClockTime,
  formatFaultValue,
  formatKilowattHours,
  formatLocation,
  formatNumber,
  formatPower,
  formatTimeToGo,
  humanizeKind,
  UNKNOWN,
} from './format.js';
import { renderHistoryChart } from './history-chart.js';
import { appendHistoryPoint, archivePointsOf, HISTORY_RANGES, historyPointOf } from './history.js';
import { renderLinkHeatMap, renderLinkHeatMapUnavailable } from './link-heat-map.js';
import { connectLive } from './live.js';

/**
 * The types this page renders, checked by `tsconfig.site.json` (a renamed field fails the build).
 * @typedef {import('@tsbms/bms-core').BmsStatus} BmsStatus
 */

/* The dashboard page: one snapshot at a time from the event stream, drawn section by section. */

const page = {
  events: [],
  history: [],
  /** The chart's range, a key of HISTORY_RANGES. */
  range: 'day',
  /** When the heat map was last asked for (Date.now()), and whether an answer is awaited. */
  linkErrorsAskedMs: -Infinity,
  linkErrorsLoading: false,
};

/** The heat map's columns are minutes: a few fetches per minute keep the newest one current. */
const LINK_ERRORS_REFRESH_MS = 5000;

const CONNECTION_TEXT = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'disconnected, reconnecting…',
};

function setText(testId, text) {
  byTestId(testId).textContent = text;
}

function renderConnection(state) {
  const badge = byTestId('connection');
  badge.dataset.state = state;
  badge.textContent = CONNECTION_TEXT[state];
}

/** @param {BmsStatus} status */
function renderPack(status) {
  setText('pack-voltage', formatNumber(status.packVoltageV, 2, 'V'));
  setText('pack-current', formatNumber(status.currentA, 1, 'A'));
  setText('pack-power', formatPower(status.powerW));
  setText('pack-soc', formatNumber(status.socPercent, 1, '%'));
  setText('time-to-go', formatTimeToGo(status.timeToGo));
  setText('energy-charged', formatKilowattHours(status.energy?.chargedWh));
  setText('energy-discharged', formatKilowattHours(status.energy?.dischargedWh));
  const { state, openReason } = status.contactors;
  const contactors = byTestId('contactor-state');
  // The reason of the latest opening stays in the status after they close again.
  contactors.textContent = state === 'OPEN' && openReason ? `${state} (${openReason})` : state;
  contactors.dataset.state = state;
  const limits = status.limits;
  setText('limit-cvl', formatNumber(limits?.cvlV, 2, 'V'));
  setText('limit-ccl', formatNumber(limits?.cclA, 1, 'A'));
  setText('limit-dcl', formatNumber(limits?.dclA, 1, 'A'));
  const heater = status.heater;
  setText(
    'heater',
    heater === null ? UNKNOWN : heater.on ? 'on' : heater.blockedBy ? `off (${heater.blockedBy})` : 'off',
  );
  setText('discovery', `${status.discovery.found ?? UNKNOWN} of ${status.discovery.expected}`);
  setText('updated', formatClockTime(status.timestampMs));
  // How the BMS runs, e.g. without the boards' hardware thresholds: shown as long as it holds.
  const notices = byTestId('notices');
  notices.textContent = status.notices.join('; ');
  notices.hidden = status.notices.length === 0;
}

/**
 * The answer to an acknowledge, as one line under the table.
 * @param {number} status the HTTP status
 */
function acknowledgeText(status, body) {
  if (status === 200) {
    const rejected = body.rejected.map((r) => `${formatLocation(r.fault.location)}: ${r.reason}`);
    return [`${body.accepted.length} acknowledged`, ...rejected].join('; ');
  }
  if (status === 401) return 'Not acknowledged: not authorised. Enter the credentials on the Settings page.';
  return `Not acknowledged: HTTP ${status} ${body?.error?.message ?? ''}`;
}

async function acknowledge(request) {
  const { status, body } = await sendJson('POST', '/api/faults/ack', request);
  setText('ack-result', acknowledgeText(status, body));
}

/** @param {BmsStatus} status */
function renderModules(status) {
  replaceChildren(
    byTestId('module-rows'),
    status.modules.map((m) =>
      html(
        'tr',
        { 'data-testid': 'module-row', 'data-module': m.address, class: m.commsOk ? '' : 'comms-lost' },
        [
          html('td', { text: `M${m.address}` }),
          html('td', {
            text: m.commsOk
              ? m.stale
                ? 'stale'
                : 'ok'
              : `lost${m.ageS === null ? '' : ` (${formatAge(m.ageS * 1000)})`}`,
          }),
          html('td', { text: formatNumber(m.voltageV, 2, 'V') }),
          html(
            'td',
            {},
            m.temperaturesC.map((t, i) =>
              html('span', {
                'data-testid': 'temperature',
                'data-module': m.address,
                'data-sensor': i + 1,
                class: 'temperature',
                text: formatNumber(t, 1, '°C'),
              }),
            ),
          ),
          html('td', { text: m.balanceTimerRunning ? 'running' : '' }),
          html('td', { text: m.hardwareFlags.join(', ') }),
        ],
      ),
    ),
  );
}

/** @param {BmsStatus} status */
function renderComms(status) {
  replaceChildren(
    byTestId('comms'),
    Object.entries(status.comms).flatMap(([name, value]) => [
      html('dt', { text: name }),
      html('dd', { 'data-testid': `comms-${name}`, text: String(value) }),
    ]),
  );
  replaceChildren(
    byTestId('outputs'),
    Object.entries(status.outputs).flatMap(([name, output]) => [
      html('dt', { text: name }),
      html('dd', {
        'data-testid': `output-${name}`,
        'data-state': output.state,
        class: `output-${output.state}`,
        text: `${output.state}: ${output.message}`,
      }),
    ]),
  );
}

function renderEvents() {
  replaceChildren(
    byTestId('event-rows'),
    page.events
      .slice()
      .reverse()
      .map((e) =>
        html(
          'tr',
          { 'data-testid': 'event-row', 'data-type': e.type, 'data-kind': e.kind, class: `level-${e.level}` },
          [
            html('td', { text: formatClockTime(e.timestampMs) }),
            html('td', { text: e.type }),
            html('td', { class: 'level', text: e.level }),
            html('td', { text: humanizeKind(e.kind) }),
            html('td', { text: formatLocation(e.location) }),
            html('td', { text: formatFaultValue(e.kind, e.value) }),
            html('td', {
              text: [e.source === 'engine' ? '' : `by ${e.source}`, e.reason ?? '', e.detail ?? '']
                .filter(Boolean)
                .join(', '),
            }),
          ],
        ),
      ),
  );
}

/** @param {BmsStatus} status */
function onStatus(status) {
  renderPack(status);
  renderFaultTable(byTestId('faults-section'), byTestId('fault-rows'), status);
  renderCellChart(byTestId('cell-chart'), byTestId('cell-summary'), status);
  renderModules(status);
  renderComms(status);
  refreshLinkErrors();
  page.history = appendHistoryPoint(page.history, historyPointOf(status), { windowMs: chartWindowMs() });
  renderHistory();
}

/** The heat map again, at most every LINK_ERRORS_REFRESH_MS: scans drive it, so it rests with them. */
function refreshLinkErrors() {
  const nowMs = Date.now();
  if (page.linkErrorsLoading || nowMs - page.linkErrorsAskedMs < LINK_ERRORS_REFRESH_MS) return;
  page.linkErrorsAskedMs = nowMs;
  page.linkErrorsLoading = true;
  const parts = {
    legend: byTestId('link-legend'),
    summary: byTestId('link-summary'),
    map: byTestId('link-heat-map'),
  };
  getJson('/api/link-errors')
    .then((report) => renderLinkHeatMap(parts, report))
    .catch((error) =>
      error.status === 404
        ? renderLinkHeatMapUnavailable(
            parts,
            'This pack source keeps no link counters (a replayed recording).',
          )
        : showLoadError(error),
    )
    .finally(() => {
      page.linkErrorsLoading = false;
    });
}

function onFault(event) {
  page.events = mergeEvents(page.events, [event]);
  renderEvents();
}

function showLoadError(error) {
  setText('load-error', `could not load: ${error.message}`);
}

onAcknowledgeClick(byTestId('fault-rows'), (request) => void acknowledge(request));
connectLive({ onStatus, onFault, onState: renderConnection });

// After the stream opened, so nothing falls between the fetch and the first live event.
getJson('/api/events')
  .then(({ events }) => onFaultLog(events))
  .catch(showLoadError);
loadHistory('day');
byTestId('history-ranges').addEventListener('click', (event) => {
  const range = event.target instanceof HTMLElement ? event.target.dataset.range : undefined;
  if (range !== undefined) loadHistory(range);
});

function chartWindowMs() {
  return HISTORY_RANGES[page.range].windowMs;
}

function renderHistory() {
  renderHistoryChart(byTestId('history-chart'), page.history, chartWindowMs());
}

/**
 * The chart's range from the history file (it survives restarts); a controller without one
 * serves the day it keeps in memory. Live snapshots are appended as they come.
 */
async function loadHistory(range) {
  page.range = range;
  for (const button of byTestId('history-ranges').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.range === range));
  }
  const { windowMs, tier } = HISTORY_RANGES[range];
  const nowMs = Date.now();
  let points;
  try {
    const { rows } = await getJson(
      `/api/history/rows?tier=${tier}&from=${nowMs - windowMs}&to=${nowMs + 60_000}`,
    );
    points = archivePointsOf(rows);
  } catch (error) {
    if (error.status !== 404) {
      showLoadError(error);
      return;
    }
    ({ points } = await getJson('/api/history'));
  }
  if (page.range !== range) return;
  page.history = [...points, ...page.history.filter((p) => p.timestampMs > (points.at(-1)?.timestampMs ?? 0))]
    .sort((a, b) => a.timestampMs - b.timestampMs)
    .reduce((kept, p) => appendHistoryPoint(kept, p, { windowMs, spacingMs: 0 }), []);
  renderHistory();
}

function onFaultLog(events) {
  page.events = mergeEvents(page.events, events);
  renderEvents();
}
