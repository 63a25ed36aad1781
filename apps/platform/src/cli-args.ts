/** The value of `--name VALUE` or `--name=VALUE` in argv, if given. */
export function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
    if (argv[i] === name) return argv[i + 1];
  }
  return undefined;
}
