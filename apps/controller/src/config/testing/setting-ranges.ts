import { z } from 'zod';
import { controllerConfigSchema } from '../schema';

/** The values a number setting accepts, as the schema itself says. */
export interface SettingRange {
  readonly min: number;
  /** Open at `min`: a positive setting accepts anything above 0, not 0. */
  readonly minExcluded: boolean;
  readonly max: number;
  readonly integer: boolean;
}

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  /** A section with variants (the inverter's profiles, the current sensor's types). */
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
}

/**
 * Every number setting by dotted path (those inside tables and nullable ones aside), read through
 * zod's JSON Schema so that tests take the ranges from the schema instead of repeating them.
 */
export function numberSettingRanges(): ReadonlyMap<string, SettingRange> {
  const ranges = new Map<string, SettingRange>();
  const visit = (node: JsonSchemaNode, path: readonly string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) visit(child, [...path, key]);
    // A setting every variant has (the inverter's reconnect) is one whatever the variant; the
    // others need their variant chosen first, so they are left to that variant's own tests.
    const variants = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
    const shared = Object.keys(variants[0]?.properties ?? {}).filter((key) =>
      variants.every((variant) => variant.properties?.[key] !== undefined),
    );
    for (const key of variants.length > 0 ? shared : []) {
      const child = variants[0].properties?.[key];
      if (child !== undefined && child.type !== undefined && child.anyOf === undefined)
        visit(child, [...path, key]);
    }
    if (node.type === 'number' || node.type === 'integer') {
      ranges.set(path.join('.'), {
        min: node.exclusiveMinimum ?? node.minimum ?? -Infinity,
        minExcluded: node.exclusiveMinimum !== undefined,
        max: node.maximum ?? Infinity,
        integer: node.type === 'integer',
      });
    }
  };
  visit(z.toJSONSchema(controllerConfigSchema, { io: 'input' }) as JsonSchemaNode, []);
  return ranges;
}

/** A duration (…S, …Ms), current (…A), rate (…Rate) or count (…Count): each needs an upper bound. */
export function isDurationRateCurrentOrCount(path: string): boolean {
  return /(S|Ms|Minutes|A|Rate|Count)$/.test(path);
}
