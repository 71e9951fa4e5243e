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
