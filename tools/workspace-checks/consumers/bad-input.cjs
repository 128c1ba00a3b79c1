// A plain JavaScript consumer that passes the wrong thing: the typed error, not a TypeError from
// deep inside, reaches it through the packed libraries, and is hal's one InvalidArgumentError class.
const { InvalidArgumentError, systemClock } = require('@tsbms/hal');
const { TeslaBus } = require('@tsbms/tesla-protocol');

try {
  new TeslaBus({}, { clock: systemClock });
  console.log(JSON.stringify({ thrown: false }));
} catch (error) {
  const { name, code, argument, received, message } = error;
  const isInvalidArgumentError = error instanceof InvalidArgumentError;
  console.log(JSON.stringify({ name, code, argument, received, message, isInvalidArgumentError }));
}
