/**
 * Which parts of `npm run bench` to run, from the command line
 * (`npm run bench -- examples`, `npm run bench -- attribution examples:classifier`)
 * or MODELDEBUG_BENCH (same words, comma- or space-separated). Pure, so it can be tested.
 */

export const EXAMPLE_CASES = ['autoencoder', 'classifier', 'fullset'] as const;
export type ExampleCase = (typeof EXAMPLE_CASES)[number];

export interface BenchParts {
  attribution: boolean;
  /** Example-importance cases to run, in EXAMPLE_CASES order; empty for none. */
  examples: ExampleCase[];
}

export const BENCH_USAGE = `usage: npm run bench [-- <part> ...]   (or MODELDEBUG_BENCH="<part>,...")
parts:
  attribution                 feature-attribution throughput on the demo encoder
  examples                    example importance: every case below
  examples:<case>[,<case>]    only these cases: ${EXAMPLE_CASES.join(', ')}
with no part, everything runs.`;

export class BenchUsageError extends Error {}

function isCase(name: string): name is ExampleCase {
  return (EXAMPLE_CASES as readonly string[]).includes(name);
}

export function parseBenchParts(argv: readonly string[], env: string | undefined): BenchParts {
  const words = (argv.length > 0 ? argv : (env ?? '').split(/[\s,]+/)).map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) return { attribution: true, examples: [...EXAMPLE_CASES] };
  const parts: BenchParts = { attribution: false, examples: [] };
  const cases = new Set<ExampleCase>();
  let pendingCases = false;
  for (const word of words) {
    // "examples:autoencoder,classifier" arrives as one word from argv, and as several from the comma-split env value.
    const [head = '', rest] = word.split(':', 2) as [string, string | undefined];
    if (head === 'attribution' && rest === undefined) {
      parts.attribution = true;
      pendingCases = false;
    } else if (head === 'examples') {
      pendingCases = false;
      if (rest === undefined) for (const c of EXAMPLE_CASES) cases.add(c);
      else {
        for (const name of rest.split(',').filter((n) => n !== '')) {
          if (!isCase(name)) throw new BenchUsageError(`unknown example case "${name}" in "${word}"; cases are ${EXAMPLE_CASES.join(', ')}`);
          cases.add(name);
        }
        pendingCases = true;
      }
    } else if (pendingCases && rest === undefined && isCase(head)) {
      cases.add(head);
    } else {
      throw new BenchUsageError(`unknown bench part "${word}"`);
    }
  }
  parts.examples = EXAMPLE_CASES.filter((c) => cases.has(c));
  return parts;
}
