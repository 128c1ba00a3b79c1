import { bundleConfig, environmentOverrides, replayConfig } from './bundle-config';
import { BUNDLE_EVENT_LIMIT, type BundlePart, type EventList, type SupportBundleInput } from './bundle-input';
import { supportBundleReadme } from './readme-text';
import type { TarEntry } from './tar-writer';

/** The files of a bundle, in the archive's order (README.txt first, recording.jsonl when there is one). */
export const BUNDLE_FILES = [
  'README.txt',
  'config.json',
  'replay-config.json',
  'status.json',
  'events.json',
  'link-stats.json',
  'versions.json',
  'recording.jsonl',
] as const;

export type BundleFileName = (typeof BUNDLE_FILES)[number];

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

const partValue = <T, R>(part: BundlePart<T>, shown: (value: T) => R) =>
  part.included ? shown(part.value) : { notIncluded: part.reason };

/** The last BUNDLE_EVENT_LIMIT events of a list. */
const lastEvents = (list: EventList) => ({
  source: list.source,
  total: list.events.length,
  events: list.events.slice(-BUNDLE_EVENT_LIMIT),
});

/**
 * The entries of a support bundle, pure: the configuration redacted (bundleConfig), the parts
 * that are there as they are and those that are not as `{ "notIncluded": reason }`.
 */
export function supportBundleEntries(input: SupportBundleInput): TarEntry[] {
  const environment = environmentOverrides(input.env);
  const entries: [BundleFileName, Buffer][] = [
    ['README.txt', Buffer.from(supportBundleReadme(input), 'utf8')],
    [
      'config.json',
      json({
        note:
          'the running configuration: every secret reads "***", a setting the environment sets reads ' +
          '"$VARIABLE" (its name, never its value), a password inside a URL reads ***',
        environment,
        config: bundleConfig(input.config, input.secretPaths, input.env),
      }),
    ],
    ['replay-config.json', json(replayConfig(input.config))],
    [
      'status.json',
      json(
        input.status.included
          ? input.status.value
          : {
              notIncluded: input.status.reason,
              ...(input.savedState === undefined ? {} : { savedState: input.savedState }),
            },
      ),
    ],
    [
      'events.json',
      json({
        limit: BUNDLE_EVENT_LIMIT,
        faultLog: partValue(input.faultLog, lastEvents),
        history: partValue(input.history, lastEvents),
      }),
    ],
    ['link-stats.json', json(partValue(input.linkStats, (stats) => stats))],
    ['versions.json', json(input.versions)],
  ];
  if (input.recording.included) entries.push(['recording.jsonl', input.recording.value.tail.text]);
  return entries.map(([name, body]) => ({ name, body }));
}
