import { getAtPath, setAtPath } from '@tsbms/bms-core';
import { badCommandPayload, COMMAND_RUNS, type CommandHandler } from './commands';
import { flag, formatValue, OFF, ON } from './state-messages';
import type { MqttMessage, MqttTopics } from './topics';

/*
 * Home Assistant controls: buttons, switches and numbers that act through the same commands as
 * `<prefix>/cmd/...` (config/set with its validation and remote-change policy, faults/ack,
 * restart). HA sends plain payloads without a token, so they are off unless
 * `mqtt.discovery.controls` is set, and the broker's ACL must let only Home Assistant publish to
 * `<prefix>/ha/#` (deploy/mosquitto.acl).
 */

/** What HA's button sends when pressed. */
export const PRESS = 'PRESS';

interface ControlBase {
  readonly objectId: string;
  readonly name: string;
  /** Discovery fields beside the topics (icon, entity_category, device_class, …). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ButtonControl extends ControlBase {
  readonly component: 'button';
  readonly run: CommandHandler['run'];
}

export interface SettingControl extends ControlBase {
  readonly component: 'switch' | 'number';
  /** The setting it shows and changes, a dotted path of the config file. */
  readonly configPath: string;
  /** Decimals of the state a number shows. */
  readonly decimals?: number;
}

export type HomeAssistantControl = ButtonControl | SettingControl;

const CONFIG = { entity_category: 'config' } as const;
const amperes = { device_class: 'current', unit_of_measurement: 'A', mode: 'box', step: 1 } as const;

/** The controls, in discovery order (balance now: the next scan bleeds without the voltage floor). Number ranges are the schema's; the policy may refuse more. */
export const HOME_ASSISTANT_CONTROLS: readonly HomeAssistantControl[] = [
  {
    component: 'button',
    objectId: 'acknowledge_faults',
    name: 'Acknowledge faults',
    fields: { icon: 'mdi:check-decagram' },
    run: COMMAND_RUNS.faultsAck,
  },
  {
    component: 'button',
    objectId: 'balance_now',
    name: 'Balance now',
    fields: { icon: 'mdi:scale-unbalanced' },
    run: COMMAND_RUNS.balanceNow,
  },
  {
    component: 'button',
    objectId: 'restart',
    name: 'Restart',
    fields: { ...CONFIG, device_class: 'restart' },
    run: COMMAND_RUNS.restart,
  },
  {
    component: 'switch',
    objectId: 'charge_allowed',
    name: 'Allow charging',
    fields: { icon: 'mdi:battery-arrow-up' },
    configPath: 'limits.chargeAllowed',
  },
  {
    component: 'switch',
    objectId: 'discharge_allowed',
    name: 'Allow discharging',
    fields: { icon: 'mdi:battery-arrow-down' },
    configPath: 'limits.dischargeAllowed',
  },
  {
    component: 'switch',
    objectId: 'balancing_enabled',
    name: 'Balancing',
    fields: { ...CONFIG, icon: 'mdi:scale-balance' },
    configPath: 'balancing.enabled',
  },
  {
    component: 'number',
    objectId: 'max_charge_current',
    name: 'Charge current cap',
    fields: { ...CONFIG, ...amperes, min: 1, max: 3000 },
    configPath: 'limits.maxChargeCurrentA',
    decimals: 0,
  },
  {
    component: 'number',
    objectId: 'max_discharge_current',
    name: 'Discharge current cap',
    fields: { ...CONFIG, ...amperes, min: 1, max: 3000 },
    configPath: 'limits.maxDischargeCurrentA',
    decimals: 0,
  },
  {
    // The charge voltage limit is this × cells in series; the fault levels sit above it (§1).
    component: 'number',
    objectId: 'charge_cell_voltage',
    name: 'Charge cell voltage',
    fields: {
      ...CONFIG,
      device_class: 'voltage',
      unit_of_measurement: 'V',
      mode: 'box',
      min: 3.8,
      max: 4.15,
      step: 0.01,
    },
    configPath: 'cells.cellHighVoltageV',
    decimals: 3,
  },
];

/** The patch of a config file that sets `configPath` to `value`. */
function patchAt(configPath: string, value: unknown): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  setAtPath(patch, configPath.split('.'), value);
  return patch;
}

/** A number as HA sends it: plain decimal text, nothing else. */
function numberPayload(payload: string): number {
  const value = /^-?\d+(\.\d+)?$/.test(payload.trim()) ? Number(payload) : Number.NaN;
  if (!Number.isFinite(value)) throw badCommandPayload(`expected a number, got ${JSON.stringify(payload)}`);
  return value;
}

function payloadParser(control: HomeAssistantControl): (payload: string) => Record<string, unknown> {
  if (control.component === 'button') {
    return (payload) => {
      if (payload !== PRESS) throw badCommandPayload(`expected ${PRESS}, got ${JSON.stringify(payload)}`);
      return {};
    };
  }
  if (control.component === 'switch') {
    return (payload) => {
      if (payload !== ON && payload !== OFF) {
        throw badCommandPayload(`expected ${ON} or ${OFF}, got ${JSON.stringify(payload)}`);
      }
      return patchAt(control.configPath, payload === ON);
    };
  }
  return (payload) => patchAt(control.configPath, numberPayload(payload));
}

/** The command topic of each control, with its handler. */
export function homeAssistantHandlers(topics: MqttTopics): ReadonlyMap<string, CommandHandler> {
  return new Map(
    HOME_ASSISTANT_CONTROLS.map((control) => [
      topics.homeAssistantControl(control.objectId),
      {
        name: `ha/${control.objectId}`,
        parse: payloadParser(control),
        run: control.component === 'button' ? control.run : COMMAND_RUNS.configSet,
      },
    ]),
  );
}

/** The state of every switch and number: its setting's running value in `config` (the file's shape). */
export function settingMessages(topics: MqttTopics, config: unknown): MqttMessage[] {
  return HOME_ASSISTANT_CONTROLS.flatMap((control) => {
    if (control.component === 'button') return [];
    const value = getAtPath(config, control.configPath);
    const payload =
      control.component === 'switch'
        ? flag(typeof value === 'boolean' ? value : null)
        : formatValue(typeof value === 'number' ? value : null, control.decimals ?? 2);
    return [{ topic: topics.setting(control.objectId), payload }];
  });
}
