/**
 * The `--variants` of the A/B tools (cpu-per-request.ts, pg-cpu.ts): each `kind[#label][@checkout]`,
 * a known kind of load, optionally run from another checkout of the repository (`@/path`) to
 * compare builds. Exits with the list of kinds on an unknown one.
 *
 * @example
 * const { variants, kindOf, checkoutOf } = parseVariants('session-check@/work/main,session-check', known);
 */
export function parseVariants<Kind extends string>(flag: string | undefined, known: readonly Kind[]) {
  const variants = (flag ?? '').split(',').map((v) => v.trim());
  const kindOf = (variant: string): Kind => variant.split('@')[0]?.split('#')[0] as Kind;
  const checkoutOf = (variant: string): string | undefined => variant.split('@')[1];
  for (const variant of variants) {
    if (!known.includes(kindOf(variant))) {
      console.error(`unknown variant ${variant}; known: ${known.join(', ')}`);
      process.exit(2);
    }
  }
  return { variants, kindOf, checkoutOf };
}
