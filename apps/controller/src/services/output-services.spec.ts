import { Subject } from 'rxjs';
import { ManualClock, silentLogger } from '@tsbms/hal';
import { outputService, type BmsStatus, type OutputContext } from '@tsbms/bms-core';
import type { FaultEvent } from '@tsbms/fault-engine';
import { parseControllerConfig, type ControllerConfig } from '../config';
import type { HttpOutputSettings } from '@tsbms/output-http';
import { busStatsFixture, statusFixture } from '@tsbms/output-http/testing';
import type { ControllerContext } from './controller-context';
import { linkStatsOf } from '../runtime';
import { controllerVersion, httpOutputSettings, mqttOutputSettings } from './output-services';

/** The supervisor's context over a config the test replaces, recording config changes. */
function controllerContext(initial: ControllerConfig) {
  let running = initial;
  const changes: { patch: unknown; source: string }[] = [];
  const context: ControllerContext = {
    clock: new ManualClock(),
    logger: silentLogger,
    config: () => running,
    status: () => statusFixture(),
    status$: new Subject<BmsStatus>(),
    faultEvents: () => [],
    faultEvents$: new Subject<FaultEvent>(),
    acknowledgeFaults: () => ({ accepted: [], rejected: [] }),
    balanceNow: () => ({ accepted: true }),
    updateConfig: (patch, source) => {
      changes.push({ patch, source });
      return { config: running, changedPaths: [], effect: null, restart: null };
    },
    requestRestart: () => ({ accepted: true, inS: 0 }),
    linkStats: () => linkStatsOf(busStatsFixture()),
  };
  return { context, changes, run: (config: ControllerConfig) => (running = config) };
}

const config = (fields: Record<string, unknown>) => parseControllerConfig(fields, 'test');

describe('outputService: each output its own OutputContext', () => {
  it('is the same context at every start over one controller context (HTTP keeps its history by it)', async () => {
    const { context } = controllerContext(config({}));
    const seen: OutputContext<HttpOutputSettings>[] = [];
    const start = outputService(async (own: OutputContext<HttpOutputSettings>) => {
      seen.push(own);
      return null;
    }, httpOutputSettings);
    await start(context);
    await start(context);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  it("settings() is the output's part of the running config, as it runs", async () => {
    const { context, run } = controllerContext(config({ pollIntervalS: 1, http: { port: 8081 } }));
    let own: OutputContext<HttpOutputSettings> | undefined;
    await outputService(async (given: OutputContext<HttpOutputSettings>) => {
      own = given;
      return null;
    }, httpOutputSettings)(context);
    expect(own?.settings()).toEqual({ http: context.config().http, pollIntervalS: 1 });
    run(config({ pollIntervalS: 2, http: { port: 8082 } }));
    expect(own?.settings()).toMatchObject({ http: { port: 8082 }, pollIntervalS: 2 });
    expect(mqttOutputSettings(context.config())).toEqual({
      mqtt: context.config().mqtt,
      softwareVersion: controllerVersion(),
    });
  });

  it('configuration is the whole running config, and changes go to the controller with their source', async () => {
    const { context, changes } = controllerContext(config({ http: { port: 8081 } }));
    let own: OutputContext<unknown> | undefined;
    await outputService(
      async (given: OutputContext<unknown>) => {
        own = given;
        return null;
      },
      () => null,
    )(context);
    expect(own?.configuration.current()).toBe(context.config());
    expect(own?.configuration.update({ pollIntervalS: 1 }, 'http')).toMatchObject({ changedPaths: [] });
    expect(changes).toEqual([{ patch: { pollIntervalS: 1 }, source: 'http' }]);
  });
});

describe('linkStatsOf', () => {
  it('the serial loop counters as totals, and per address the same counters', () => {
    const { perModule, ...totals } = busStatsFixture();
    const stats = linkStatsOf(busStatsFixture());
    expect(stats.totals).toEqual(totals);
    expect(stats.totals).not.toHaveProperty('perModule');
    expect(stats.perModule).toEqual(perModule);
  });

  it("the serial port's UART counts among the totals where the port keeps them, none where it does not", () => {
    const uart = linkStatsOf(busStatsFixture(), { framingErrors: 7, overruns: 1 });
    expect(uart.totals).toMatchObject({ framingErrors: 7, overruns: 1 });
    expect(linkStatsOf(busStatsFixture(), null).totals).not.toHaveProperty('framingErrors');
  });
});
