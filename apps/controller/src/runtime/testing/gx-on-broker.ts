import { filter, firstValueFrom } from 'rxjs';
import { EmulatedGxMqtt, type EmulatedGxBattery } from '@tsbms/current-sensors/testing';
import { silentLogger, systemClock, type Logger } from '@tsbms/hal';
import type { Scope } from '@tsbms/test-support';
import { MqttGxClient } from '../mqtt-gx-client';

export const GX_PORTAL_ID = 'c0619ab1c2d3';
/** A SmartShunt's usual place on a GX, and tsBMS's CAN battery's (can-bus-bms starts at 512). */
export const SHUNT_INSTANCE = 279;
export const OWN_INSTANCE = 512;
export const SMARTSHUNT: EmulatedGxBattery = { productName: 'SmartShunt 500A/50mV', currentA: -12.5 };
export const TSBMS_ON_THE_GX: EmulatedGxBattery = {
  productName: 'tsBMS',
  manufacturer: 'tsBMS',
  currentA: 40,
};

/** A real-time client of the broker at `url`, connected, closed with the scope. */
export async function connectedGxClient(
  scope: Scope,
  url: string,
  logger: Logger = silentLogger,
): Promise<MqttGxClient> {
  const client = new MqttGxClient({
    url,
    clock: systemClock,
    logger,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    clientId: `gx-test-${Math.random()}`,
  });
  scope.add(() => client.close());
  await firstValueFrom(client.connected$.pipe(filter(Boolean)));
  return client;
}

/**
 * An emulated GX publishing into the broker at `url` as dbus-flashmq does, in real time, with the
 * SmartShunt and tsBMS's own battery; its keep-alive timeout shortened so a test sees it lapse.
 */
export async function startGxOnBroker(scope: Scope, url: string, keepAliveTimeoutMs: number) {
  const client = await connectedGxClient(scope, url);
  const gx = await EmulatedGxMqtt.start({
    client,
    clock: systemClock,
    portalId: GX_PORTAL_ID,
    keepAliveTimeoutMs,
  });
  scope.add(async () => gx.stop());
  gx.setBattery(SHUNT_INSTANCE, SMARTSHUNT);
  gx.setBattery(OWN_INSTANCE, TSBMS_ON_THE_GX);
  return gx;
}
