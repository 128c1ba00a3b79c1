import type { Observable } from 'rxjs';
import { InvalidArgumentError } from './invalid-argument-error';

/** What a port member must be: a method, or an RxJS-style observable (`subscribe` and `pipe`). */
export type MemberKind = 'function' | 'observable';

/** The members a port must have, by name. */
export type PortMembers = Readonly<Record<string, MemberKind>>;

/** What the libraries call on an observable they are given. */
const OBSERVABLE_MEMBERS: PortMembers = { subscribe: 'function', pipe: 'function' };

/** Longest string quoted in a description; a received value is described, never dumped. */
const MAX_QUOTED_CHARS = 40;

/**
 * A short description of any value for an error message: `'undefined'`, `'null'`, `'number 5'`,
 * `'string "abc"'`, `'function SerialByteLink'`, `'an array of 3'`, `'a plain object'`,
 * `'a ManualClock'` (an instance by its class). Never the object's contents.
 */
export function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `string ${JSON.stringify(
        value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value,
      )}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return value.toString();
    case 'function':
      return value.name ? `function ${value.name}` : 'a function';
    default:
      return describeObject(value);
  }
}

function describeObject(value: object): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype) return 'a plain object';
  const name: unknown = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string' || name === '') return 'an object';
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** Throws InvalidArgumentError unless `value` is an object (not null, not an array). */
export function requireObject(value: unknown, argument: string, expected: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, expected, describeReceived(value));
  }
}

/** Throws InvalidArgumentError unless `value` is a function (a callback or factory). */
export function requireFunction(
  value: unknown,
  argument: string,
  expected = 'a function',
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function')
    throw new InvalidArgumentError(argument, expected, describeReceived(value));
}

/** Throws InvalidArgumentError unless `value` is a finite number (a count, an interval). */
export function requireFiniteNumber(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(argument, 'a finite number', describeReceived(value));
  }
}

/**
 * The one member checker behind every port guard: throws InvalidArgumentError unless `value` is an
 * object whose `members` are functions or observables as listed. `portName` (`'a ByteLink'`) and
 * the member names make the expectation; the description of what was passed names what is missing
 * (`'a plain object without write, close'`) or wrong (`'… whose data$ is number 5'`). Only
 * presence and kind are checked: cheap enough for every constructor call, never per message.
 */
export function requirePort<T extends object = object>(
  value: unknown,
  argument: string,
  members: PortMembers,
  portName: string,
): asserts value is T {
  const expected = `${portName} (${Object.keys(members).join(', ')})`;
  requireObject(value, argument, expected);
  const problems = memberProblems(value, members);
  if (problems.length > 0) {
    throw new InvalidArgumentError(
      argument,
      expected,
      `${describeReceived(value)} ${problems.join(' and ')}`,
    );
  }
}

/** Throws InvalidArgumentError unless `value` can be subscribed and piped as an RxJS Observable. */
export function requireObservable(value: unknown, argument: string): asserts value is Observable<unknown> {
  requirePort(value, argument, OBSERVABLE_MEMBERS, 'an Observable');
}

/** What is wrong with an object's members: the missing ones, then each of the wrong kind. */
function memberProblems(value: object, members: PortMembers): string[] {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [name, kind] of Object.entries(members)) {
    const member: unknown = Reflect.get(value, name);
    if (member === undefined || member === null) missing.push(name);
    else if (!hasKind(member, kind)) wrong.push(`whose ${name} is ${describeReceived(member)}`);
  }
  return missing.length > 0 ? [`without ${missing.join(', ')}`, ...wrong] : wrong;
}

function hasKind(member: unknown, kind: MemberKind): boolean {
  if (kind === 'function') return typeof member === 'function';
  return (
    typeof member === 'object' && member !== null && memberProblems(member, OBSERVABLE_MEMBERS).length === 0
  );
}
