/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be
 * a HELP or TYPE comment or a sample of the family declared just before; anything else throws
 * with its line number. Returns the families with their samples.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  help: string | null;
  type: string | null;
  readonly samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export class PromParseError extends Error {}

function parseValue(text: string, lineNo: number): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new PromParseError(`line ${lineNo}: bad value ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** `{a="x",b="y\"z"}` starting at `start`; returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const fail = (why: string): never => {
    throw new PromParseError(`line ${lineNo}: ${why} at column ${i + 1}: ${line}`);
  };
  while (line[i] !== '}') {
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
    if (nameMatch === null) fail('label name expected');
    const name = (nameMatch as RegExpExecArray)[0];
    i += name.length;
    if (line.slice(i, i + 2) !== '="') fail('=" expected');
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) fail('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const escaped = line[i + 1];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else fail('bad escape');
        i += 2;
      } else {
        value += c;
        i += 1;
      }
    }
    i += 1;
    if (!LABEL_NAME.test(name) || name.startsWith('__')) fail(`bad label name ${name}`);
    if (name in labels) fail(`duplicate label ${name}`);
    labels[name] = value;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') fail(', or } expected');
  }
  return [labels, i + 1];
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  if (text !== '' && !text.endsWith('\n')) throw new PromParseError('the exposition must end with a newline');
  let current: PromFamily | null = null;
  const family = (name: string, lineNo: number): PromFamily => {
    if (!METRIC_NAME.test(name)) throw new PromParseError(`line ${lineNo}: bad metric name ${name}`);
    let found = families.get(name);
    if (found === undefined) {
      found = { name, help: null, type: null, samples: [] };
      families.set(name, found);
    } else if (found !== current) {
      throw new PromParseError(`line ${lineNo}: family ${name} is not contiguous`);
    }
    current = found;
    return found;
  };
  text
    .split('\n')
    .slice(0, -1)
    .forEach((line, index) => {
      const lineNo = index + 1;
      if (line === '') return;
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (comment !== null) {
        const [, keyword, name, rest] = comment;
        const target = family(name, lineNo);
        if (keyword === 'HELP') {
          if (target.help !== null) throw new PromParseError(`line ${lineNo}: second HELP for ${name}`);
          target.help = rest;
        } else {
          if (!TYPES.has(rest)) throw new PromParseError(`line ${lineNo}: bad type ${rest}`);
          if (target.type !== null || target.samples.length > 0) {
            throw new PromParseError(`line ${lineNo}: TYPE for ${name} must come once, before its samples`);
          }
          target.type = rest;
        }
        return;
      }
      if (line.startsWith('#')) return;
      const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
      if (nameMatch === null) throw new PromParseError(`line ${lineNo}: metric name expected: ${line}`);
      const name = nameMatch[0];
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') [labels, i] = parseLabels(line, i, lineNo);
      const rest = line.slice(i);
      const valueMatch = /^ (\S+)( -?\d+)?$/.exec(rest);
      if (valueMatch === null)
        throw new PromParseError(`line ${lineNo}: " value [timestamp]" expected: ${line}`);
      const owner = current as PromFamily | null;
      const suffixes = SUFFIXES[owner?.type ?? 'untyped'];
      if (owner === null || !suffixes.some((suffix) => owner.name + suffix === name)) {
        throw new PromParseError(`line ${lineNo}: sample ${name} outside its family`);
      }
      owner.samples.push({ name, labels, value: parseValue(valueMatch[1], lineNo) });
    });
  return families;
}

/** The value of the one sample of `name` with exactly `labels`; undefined when absent. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return families
    .get(name)
    ?.samples.find((sample) => JSON.stringify(Object.entries(sample.labels).sort()) === wanted)?.value;
}
