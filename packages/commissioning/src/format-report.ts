import type { DoctorReport, Severity } from './report-schema';

const MARK: Readonly<Record<Severity, string>> = { ok: '✓', warning: '!', problem: '✗' };

export interface FormatOptions {
  /** Wrap details at this width. Default 100. */
  readonly width?: number;
  /** Also print the detail of ok findings. Default false. */
  readonly okDetails?: boolean;
}

function wrap(text: string, indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  if (line.length > 0) lines.push(indent + line);
  return lines;
}

/**
 * The report for a person at a terminal: one line per finding (✓ ok, ! warning, ✗ problem), the
 * detail and the fix under each warning and problem, and the summary last.
 */
export function formatDoctorReport(report: DoctorReport, options: FormatOptions = {}): string {
  const width = options.width ?? 100;
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARK[f.severity]} ${f.title}`);
    if (f.severity !== 'ok' || options.okDetails) {
      lines.push(...wrap(f.detail, '    ', width));
      if (f.fix.length > 0) lines.push(...wrap(`→ ${f.fix}`, '    ', width));
    }
  }
  lines.push('', `${report.exitCode === 0 ? MARK.ok : MARK.problem} ${report.summary}`);
  return lines.join('\n');
}
