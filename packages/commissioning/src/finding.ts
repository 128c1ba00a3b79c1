import type { Finding, FindingId, Severity } from './report-schema';

/** A finding, with `fix` empty for an ok one unless given. */
export function finding(
  id: FindingId,
  severity: Severity,
  text: { readonly title: string; readonly detail: string; readonly fix?: string },
  module?: number,
): Finding {
  return {
    id,
    severity,
    ...(module === undefined ? {} : { module }),
    title: text.title,
    detail: text.detail,
    fix: text.fix ?? '',
  };
}

const RANK: Readonly<Record<Severity, number>> = { ok: 0, warning: 1, problem: 2 };

/** The worse of two severities. */
export function worse(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}
