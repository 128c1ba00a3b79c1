import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ManualClock } from '@tsbms/hal';
import {
  ConfigChangeError,
  defineKey,
  formatConfigPath,
  isPlainObject,
  type ConfigUpdate,
  type ConfigurationAccess,
} from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import type { HttpOutputSettings } from '../http-app';
import { httpConfigSchema } from '../http-config';
import { linkStatsFixture, statusFixture } from './status-fixture';

/** The scan interval the settings carry (the controller's default). */
const POLL_INTERVAL_S = 0.5;

/** Merges `patch` into `target` (objects key by key); the dotted paths of the values it changed. */
function mergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  at: readonly string[] = [],
): string[] {
  return Object.entries(patch).flatMap(([key, value]) => {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) return mergePatch(current, value, [...at, key]);
    if (isDeepStrictEqual(current, value)) return [];
    defineKey(target, key, value);
    return [formatConfigPath([...at, key])];
  });
}

/**
 * An OutputContext as an application hands it to the HTTP output, for its tests: bms-core's fake
 * with this suite's status and link counters, the clock at 1.7e12 ms, the `http` section of
 * `fileConfig` as settings, and `configuration` over `fileConfig` as a config file in `dir`
 * (`bms.json`). A change merges the patch into it (objects key by key), saves the file and asks
 * for a restart; nothing is validated, as the application's store is not under test here. With
 * `dir` null there is no file: a change is refused with CONFIG_FILE, as by a controller started
 * without --config.
 */
export class FakeHttpContext extends FakeOutputContext<HttpOutputSettings> {
  /** The config file, null without one. */
  readonly configFile: string | null;
  private document: Record<string, unknown>;

  constructor(dir: string | null, fileConfig: Record<string, unknown>) {
    super({
      settings: { http: httpConfigSchema.parse(fileConfig.http), pollIntervalS: POLL_INTERVAL_S },
      status: statusFixture(),
      linkStats: linkStatsFixture(),
      clock: new ManualClock(1_700_000_000_000),
    });
    this.document = structuredClone(fileConfig);
    this.configFile = dir === null ? null : path.join(dir, 'bms.json');
    this.save();
  }

  override readonly configuration: ConfigurationAccess = {
    current: () => this.document,
    update: (patch, source) => this.updateConfig(patch, source),
  };

  private updateConfig(patch: unknown, source: string): ConfigUpdate {
    if (this.configFile === null) {
      throw new ConfigChangeError('CONFIG_FILE', [{ configPath: '', reason: 'no config file to save to' }]);
    }
    if (!isPlainObject(patch)) {
      throw new ConfigChangeError('INVALID_CONFIG', [{ configPath: '(root)', reason: 'expected an object' }]);
    }
    const config = structuredClone(this.document);
    const changedPaths = mergePatch(config, patch);
    if (changedPaths.length === 0) return { config, changedPaths, effect: null, restart: null };
    this.document = config;
    this.save();
    // Every change restarts here: the supervisor's table of live settings is not the fake's to model.
    return {
      config,
      changedPaths,
      effect: 'restart',
      restart: this.requestRestart('configuration changed', source),
    };
  }

  private save(): void {
    if (this.configFile !== null) writeFileSync(this.configFile, JSON.stringify(this.document, null, 2));
  }
}
