import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Writes a generated file when it differs from `wanted`; with `--check` on the command line it
 * only fails (exit 1) when the file is stale, naming `command` to regenerate it.
 */
export function writeOrCheck(file: string, wanted: string, command: string): void {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Not written yet.
  }
  if (process.argv.includes('--check')) {
    if (current !== wanted) {
      console.error(`${file} is stale: run \`${command}\` and commit it`);
      process.exit(1);
    }
    console.log(`${file} is up to date`);
  } else if (current === wanted) {
    console.log(`${file} is up to date`);
  } else {
    writeFileSync(file, wanted);
    console.log(`wrote ${file}`);
  }
}
