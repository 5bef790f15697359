import { InvalidArgumentError } from 'commander';
import { parseDuration, parseSize } from '../shared/units';

/** commander parsers: a bad value becomes a one-line usage error, not a stack trace. */
function parser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

export const asSize = parser(parseSize);
export const asDuration = parser(parseDuration);

export const asPort = parser((text) => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('a port is 0..65535');
  return port;
});

export const asCount = parser((text) => {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new RangeError('a whole number from 1 to 64');
  return count;
});
