// Internal: literal CIDR blocks as address intervals, to tell when several blocks together are the whole
// IPv4 or IPv6 address space (`0.0.0.0/1` and `128.0.0.0/1` admit every IPv4 address, as `0.0.0.0/0` does).

/** An address interval [start, end] of one family. */
export interface Interval {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function ipv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return parts.reduce((value, part) => value * 256n + BigInt(Number(part)), 0n);
}

function ipv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) {
    return undefined;
  }
  return all.reduce((value, group) => value * 65536n + BigInt(parseInt(group, 16)), 0n);
}

/** The interval of a literal CIDR block (`10.0.0.0/8`, `2001:db8::/32`), or undefined for anything else. */
export function cidrInterval(cidr: unknown): Interval | undefined {
  if (typeof cidr !== 'string') {
    return undefined;
  }
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!match) {
    return undefined;
  }
  const family: 4 | 6 = match[1].includes(':') ? 6 : 4;
  const address = family === 4 ? ipv4(match[1]) : ipv6(match[1]);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > BITS[family]) {
    return undefined;
  }
  const size = 2n ** BigInt(BITS[family] - prefix);
  const start = (address / size) * size;
  return { family, start, end: start + size - 1n };
}

/**
 * Whether the literal CIDR blocks together hold every IPv4 address or every IPv6 address (one `/0`, or
 * blocks whose union is the whole space). Values that are not literal CIDR blocks are left out.
 */
export function coversWholeAddressSpace(cidrs: readonly unknown[]): boolean {
  return intervalsCoverWholeSpace(cidrs.map(cidrInterval).filter((i): i is Interval => i !== undefined));
}

/** Whether the intervals together hold every IPv4 address or every IPv6 address. */
export function intervalsCoverWholeSpace(intervals: readonly Interval[]): boolean {
  return ([4, 6] as const).some((family) => {
    const sorted = intervals.filter((i) => i.family === family).sort((a, b) => (a.start < b.start ? -1 : 1));
    let next = 0n;
    for (const interval of sorted) {
      if (interval.start > next) {
        return false;
      }
      if (interval.end + 1n > next) {
        next = interval.end + 1n;
      }
    }
    return sorted.length > 0 && next === 2n ** BigInt(BITS[family]);
  });
}
