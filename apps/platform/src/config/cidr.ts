/** An IPv4 CIDR block as numbers, so overlap and alignment are plain arithmetic. */
export interface CidrBlock {
  readonly text: string;
  /** First address of the block as an unsigned 32-bit number. */
  readonly start: number;
  /** Number of addresses in the block. */
  readonly size: number;
  readonly prefix: number;
}

const CIDR_SYNTAX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const LEADING_ZERO = /^0\d/;

/**
 * Parses `a.b.c.d/n`; undefined when the text is not an IPv4 CIDR. Host bits are kept as written.
 * A number with a leading zero (`010.0.0.0/16`) is no CIDR: inet_aton and others read it as octal
 * (010 = 8), so the same text would name different ranges in different tools.
 */
export function parseCidr(text: string): CidrBlock | undefined {
  const match = CIDR_SYNTAX.exec(text);
  if (!match || match.slice(1, 6).some((part) => LEADING_ZERO.test(part))) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const start = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { text, start, size: 2 ** (32 - prefix), prefix };
}

/** `010.020.0.0/16` -> `10.20.0.0/16`; undefined when the text has no leading zeros, or is no IPv4 CIDR without them. */
export function withoutLeadingZeros(text: string): string | undefined {
  const match = CIDR_SYNTAX.exec(text);
  if (!match || !match.slice(1, 6).some((part) => LEADING_ZERO.test(part))) return undefined;
  const [a, b, c, d, prefix] = match.slice(1, 6).map(Number);
  const unpadded = `${a}.${b}.${c}.${d}/${prefix}`;
  return parseCidr(unpadded) ? unpadded : undefined;
}

/** The block's network address form, e.g. `10.0.0.0/16` for `10.0.3.7/16`. */
export function networkOf(block: CidrBlock): string {
  const network = Math.floor(block.start / block.size) * block.size;
  const octets = [3, 2, 1, 0].map((shift) => Math.floor(network / 256 ** shift) % 256);
  return `${octets.join('.')}/${block.prefix}`;
}

/** True when the address has host bits set (the block does not start on its own boundary). */
export function hasHostBits(block: CidrBlock): boolean {
  return block.start % block.size !== 0;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: CidrBlock, b: CidrBlock): boolean {
  const aStart = Math.floor(a.start / a.size) * a.size;
  const bStart = Math.floor(b.start / b.size) * b.size;
  return aStart < bStart + b.size && bStart < aStart + a.size;
}
