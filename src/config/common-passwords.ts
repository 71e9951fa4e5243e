import { readFileSync } from 'node:fs';

const commonPasswordFiles = ['common-passwords-10k.txt', 'common-passwords-15-plus.txt'].map((name) => new URL(`../../data/${name}`, import.meta.url));
let commonPasswords: ReadonlySet<string> | undefined;

/** The shipped common-password lists, lowercased (SecLists, CC BY-SA 3.0; see data/README.md). */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    commonPasswordFiles.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim().toLowerCase())
        .filter(Boolean),
    ),
  );
  return commonPasswords;
}

/**
 * The same list, read from disk on the first password that is checked against it (a sign-up, a
 * password change or reset), not at start-up: ~25,000 strings that an idle server need not hold.
 */
export const commonPasswordsOnFirstUse: Pick<ReadonlySet<string>, 'has'> = {
  has: (value) => loadCommonPasswords().has(value),
};
