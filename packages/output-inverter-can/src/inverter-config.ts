import { z } from 'zod';
import { reconnectSettingsSchema } from '@tsbms/bms-core';
import {
  identityTextFitIssues,
  identityTextIssues,
  PYLONTECH_MANUFACTURER_NAME,
  type IdentityTextIssue,
} from '@tsbms/inverter-can';

/*
 * The output's own section of the controller's configuration, `inverter`: which wire profile the
 * inverter speaks, on which SocketCAN interface at which bit rate, and the options of that profile.
 * The application puts this schema under its `inverter` key, so issue paths read
 * `inverter.profile`, `inverter.manufacturerName`, `inverter.reconnect.…`. An option of another
 * profile is refused with its path, as is an unknown profile.
 */

/** The wire profiles, each a dialect of the CAN-bus BMS protocol (docs/*-can*.md). */
export const INVERTER_PROFILES = ['victron', 'pylontech', 'sma-sunny-island'] as const;
export type InverterProfile = (typeof INVERTER_PROFILES)[number];

/** A SocketCAN interface name (at most 15 characters, as the kernel's IFNAMSIZ allows). */
const canInterface = z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, 'a network interface name such as can0');

/** What every profile has: where to send, and how to get the interface back. */
const sharedOptions = {
  /** SocketCAN interface on the inverter's BMS-CAN port, e.g. `can0`; null = no inverter output. */
  interface: canInterface.nullable().default(null),
  /** Interface missing or down: retry after initialDelayS, doubling up to maxDelayS. */
  reconnect: reconnectSettingsSchema('inverter', 30),
};

/** Pylontech and SMA inverters run their BMS port at 500 kbit/s only (pylontech-can.md §1, SMA TI §5.3). */
const bitRate500Only = (protocol: string) =>
  z.literal(500, { error: `the ${protocol} protocol runs at 500 kbit/s only` }).default(500);

/** The text the inverter reads as the battery's name in 0x35E, at most 8 characters (V-2, P-4, S-7). */
const manufacturerName = z.string().min(1);

/** An unknown key in a profile's options names the profile, so a leftover of another one is clear. */
const profileOptions = <P extends InverterProfile, S extends z.core.$ZodLooseShape>(profile: P, shape: S) =>
  z.strictObject(
    { profile: z.literal(profile), ...sharedOptions, ...shape },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `not an option of the ${profile} profile` : undefined,
    },
  );

const profileSchema = z.discriminatedUnion(
  'profile',
  [
    profileOptions('victron', {
      /**
       * The kernel sets the bit rate (systemd-networkd, `ip link`); the output checks it at open.
       * 500 on the GX's BMS-CAN port; 250 on a VE.Can port shared with Victron devices.
       */
      bitRateKbps: z.literal([500, 250], { error: '500 (BMS-CAN port) or 250 (VE.Can port)' }).default(500),
      /** 0x35E; brand names Venus rewrites limits for are refused (V-11). */
      manufacturerName: manufacturerName.default('tsBMS'),
      /** 0x370/0x371 when longer than 8 characters (up to 16); null = not sent. */
      batteryName: z.string().min(1).nullable().default(null),
      /** 0x380/0x381, up to 16 characters; null = not sent. */
      serialNumber: z.string().min(1).nullable().default(null),
      /** 0x382, up to 8 characters; null = not sent. */
      productFamily: z.string().min(1).nullable().default(null),
    }),
    profileOptions('pylontech', {
      bitRateKbps: bitRate500Only('Pylontech'),
      /** 0x35E; `PYLON` as the real battery, which some inverters check (P-4). */
      manufacturerName: manufacturerName.default(PYLONTECH_MANUFACTURER_NAME),
    }),
    profileOptions('sma-sunny-island', {
      bitRateKbps: bitRate500Only('SMA Sunny Island'),
      /** 0x35E, space padded (S-7). */
      manufacturerName: manufacturerName.default('tsBMS'),
    }),
  ],
  { error: `one of ${INVERTER_PROFILES.join(', ')}` },
);

/** The options only the Victron profile has; null is their "not sent". */
const VICTRON_ONLY_TEXTS = ['batteryName', 'serialNumber', 'productFamily'] as const;

/**
 * A section without `profile` is the Victron profile's, as before there were others. A Victron-only
 * option set to null (not sent) is no option at all for another profile, so a file that spells out
 * every default (config.example.yaml) switches profile by changing `profile` alone; set to text,
 * it is refused with its path.
 */
function normalisedSection(section: unknown): unknown {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return section;
  const withProfile: Record<string, unknown> = { profile: 'victron', ...section };
  if (withProfile.profile === 'victron') return withProfile;
  return Object.fromEntries(
    Object.entries(withProfile).filter(
      ([key, value]) => !(value === null && (VICTRON_ONLY_TEXTS as readonly string[]).includes(key)),
    ),
  );
}

function textIssues(section: z.output<typeof profileSchema>): IdentityTextIssue[] {
  // V-11 keeps other brands' names from a GX only; a Pylontech inverter wants PYLON (P-4).
  return section.profile === 'victron' ? identityTextIssues(section) : identityTextFitIssues(section);
}

/** The `inverter` section: the wire profile, its interface and bit rate, and its options. */
export const inverterConfigSchema = z
  .preprocess(normalisedSection, profileSchema)
  .prefault({})
  .superRefine((section, ctx) => {
    for (const issue of textIssues(section)) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.reason });
    }
  });

/** The `inverter` section as validated (defaults filled in), one shape per profile. */
export type InverterConfig = z.output<typeof inverterConfigSchema>;
export type VictronInverterConfig = Extract<InverterConfig, { profile: 'victron' }>;

/** The names this battery gives itself on the bus (a GX's MQTT shows them back to us). */
export function ownBatteryNames(section: InverterConfig): string[] {
  return section.profile === 'victron' && section.batteryName !== null
    ? [section.manufacturerName, section.batteryName]
    : [section.manufacturerName];
}
