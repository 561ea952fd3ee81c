/**
 * The README's examples, as test/integration/readme.test.ts runs them. A fence's info string
 * says how: ```sh is run; ```sh aws needs an AWS account (bootstrap, deploy, the aws CLI,
 * destroy) and ```sh setup installs, starts or tests the project itself (the test starts its own stack), and
 * both are left out; ```ts is run with tsx. Everything runs in README order in one bash, so a
 * variable set in one example is there in the next. Examples reach the stack through
 * $STAGEFLOW_URL (default http://127.0.0.1:3000), which the test sets to its stack.
 */
export interface Example {
  line: number;
  lang: string;
  tags: string[];
  code: string;
}

export function readmeExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    examples.push({
      line: start + 1,
      lang: open[1],
      tags: open[2].trim().split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
  }
  return examples;
}

/** Whether the test runs it: shell and TypeScript, unless marked `aws` or `setup`. */
export const runnable = (e: Example) =>
  ['sh', 'bash', 'ts'].includes(e.lang) && !e.tags.includes('aws') && !e.tags.includes('setup');

/**
 * One bash script for the runnable examples, each announced on stderr by its README line.
 * curl fails on an HTTP error (`--fail-with-body`), so an example that gets a 4xx or 5xx
 * fails the run; a TypeScript example is written to `tsFile(i)` and run with tsx.
 */
export function script(
  examples: Example[],
  tsFile: (index: number) => string,
): { bash: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const parts = [
    'set -euo pipefail',
    'curl() { command curl --fail-with-body --show-error --max-time 30 "$@"; echo; }',
  ];
  examples.filter(runnable).forEach((e, i) => {
    parts.push(`echo "README.md:${e.line} (${e.lang})" >&2`);
    if (e.lang === 'ts') {
      files[tsFile(i)] = e.code;
      parts.push(`node --import tsx ${tsFile(i)}`);
    } else {
      parts.push(e.code);
    }
  });
  return { bash: `${parts.join('\n')}\n`, files };
}
