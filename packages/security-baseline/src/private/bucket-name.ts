/**
 * The first rule of S3's general purpose bucket naming rules that `name` breaks, or undefined when it breaks none.
 *
 * Rules from the S3 User Guide, "General purpose bucket naming rules": 3-63 characters; lowercase letters, digits,
 * dots and hyphens; a letter or digit first and last; no two adjacent dots; not an IPv4 address; none of the reserved
 * prefixes and suffixes. S3 refuses such a name at CreateBucket, so a name that breaks one cannot be an existing bucket.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return `${name.length} characters`;
  }
  const badChar = name.match(/[^a-z0-9.-]/);
  if (badChar) {
    return `the character ${JSON.stringify(badChar[0])}`;
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'a first or last character that is not a letter or digit';
  }
  if (name.includes('..')) {
    return 'two adjacent dots';
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return 'the form of an IP address';
  }
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) {
    return `the reserved prefix "${prefix}"`;
  }
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) {
    return `the reserved suffix "${suffix}"`;
  }
  return undefined;
}

/** `sthree-` also covers the separately listed `sthree-configurator`. */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/** Access point aliases, Object Lambda access point aliases, Multi-Region Access Points, directory and table buckets. */
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
