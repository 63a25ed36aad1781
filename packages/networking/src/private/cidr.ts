/** An IPv4 CIDR block parsed into its parts. Internal: not part of the public API. */
export interface ParsedIpv4Cidr {
  readonly address: string;
  readonly prefixLength: number;
}

/**
 * Parses `a.b.c.d/n`. Returns undefined when the text is not a syntactically valid
 * IPv4 CIDR, or when host bits are set (EC2 rejects `10.0.0.1/16` for a VPC).
 */
export function parseIpv4Cidr(cidr: string): ParsedIpv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) {
    return undefined;
  }
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) {
    return undefined;
  }
  const value = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  // Host bits are clear when the address is a multiple of the block size.
  if (value % 2 ** (32 - prefixLength) !== 0) {
    return undefined;
  }
  return { address: octets.join('.'), prefixLength };
}

/** Whether every address of `inner` lies in `outer` (both parsed, host bits clear). */
export function ipv4CidrContains(outer: ParsedIpv4Cidr, inner: ParsedIpv4Cidr): boolean {
  if (inner.prefixLength < outer.prefixLength) {
    return false;
  }
  const blockSize = 2 ** (32 - outer.prefixLength);
  return Math.floor(addressValue(inner) / blockSize) === Math.floor(addressValue(outer) / blockSize);
}

function addressValue(cidr: ParsedIpv4Cidr): number {
  return cidr.address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Number of bits needed to number `count` equal blocks (ceil(log2(count))). */
export function bitsFor(count: number): number {
  return Math.ceil(Math.log2(Math.max(count, 1)));
}
