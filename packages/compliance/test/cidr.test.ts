import { cidrInterval, coversWholeAddressSpace } from '../src/private/cidr';

describe('literal CIDR blocks as address intervals', () => {
  test.each([
    ['10.0.0.0/8', 4, 0x0a000000n, 0x0affffffn],
    ['10.1.2.3/8', 4, 0x0a000000n, 0x0affffffn],
    ['0.0.0.0/0', 4, 0n, 0xffffffffn],
    ['192.0.2.7/32', 4, 0xc0000207n, 0xc0000207n],
    ['::/0', 6, 0n, 2n ** 128n - 1n],
    ['2001:db8::/32', 6, 0x20010db8n * 2n ** 96n, 0x20010db8n * 2n ** 96n + 2n ** 96n - 1n],
    ['::1/128', 6, 1n, 1n],
    ['fe80::1:2/64', 6, 0xfe80n * 2n ** 112n, 0xfe80n * 2n ** 112n + 2n ** 64n - 1n],
  ])('%s', (cidr, family, start, end) => {
    expect(cidrInterval(cidr)).toEqual({ family, start, end });
  });

  test.each([
    '10.0.0.0',
    '10.0.0.256/8',
    '10.0.0/8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '1::2::3/64',
    '1:2:3:4:5:6:7/64',
    '${Cidr}',
    42,
  ])('not a literal CIDR block: %s', (value) => {
    expect(cidrInterval(value)).toBeUndefined();
  });
});

describe('blocks that together hold every address', () => {
  test.each([
    [['0.0.0.0/0']],
    [['::/0']],
    [['0.0.0.0/1', '128.0.0.0/1']],
    [['128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/2']],
    [['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/1', '10.0.0.0/8']],
    [['::/1', '8000::/1']],
    [['10.0.0.0/8', '0.0.0.0/1', '128.0.0.0/1', '${Ref}']],
  ])('%j holds every address', (cidrs) => {
    expect(coversWholeAddressSpace(cidrs)).toBe(true);
  });

  test.each([
    [[]],
    [['0.0.0.0/1']],
    [['0.0.0.0/1', '128.0.0.0/2']],
    [['0.0.0.0/1', '192.0.0.0/2']],
    // Half of each family is not all of either.
    [['0.0.0.0/1', '::/1', '8000::/2']],
    [['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ])('%j does not', (cidrs) => {
    expect(coversWholeAddressSpace(cidrs)).toBe(false);
  });
});
