// The benches' command line: `--name value` pairs and bare `--flag`s (value 'true'), read the same way by every bench.
export function benchArgs(argv: readonly string[] = process.argv): { args: Map<string, string>; num: (k: string, d: number) => number } {
  const args = new Map<string, string>();
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (argv[i + 1] && !argv[i + 1].startsWith('--')) args.set(k, argv[++i]);
    else args.set(k, 'true');
  }
  return { args, num: (k, d) => (args.has(k) ? Number(args.get(k)) : d) };
}
