import { describe, expect, it } from 'vitest';

/* The console's modules, loaded by a path tsc does not follow (see console-lift.test.ts). */
const web = (path: string) => import(/* @vite-ignore */ `../../web/src/${path}`);
const { translator } = await web('i18n/index.ts');
const { wrapLabel } = await web('components/bar-chart.tsx');
const { keyNameLabel, localKeyEnv } = await web('labels.ts');

describe('chart labels', () => {
  it('wrap at spaces into two lines instead of cutting the middle out', () => {
    expect(wrapLabel('No campaign (direct)', 13)).toEqual(['No campaign', '(direct)']);
    expect(wrapLabel('Entscheidung', 13)).toEqual(['Entscheidung']);
    expect(wrapLabel('Nurture: research', 13)).toEqual(['Nurture:', 'research']);
  });

  it('break a word longer than a line, and never cut a long name: it takes more lines', () => {
    expect(wrapLabel('newsletter-weekly-digest', 10)).toEqual(['newsletter', '-weekly-di', 'gest']);
    expect(wrapLabel('one two three four five', 8)).toEqual(['one two', 'three', 'four', 'five']);
    const long = 'a very long campaign name that goes on and on';
    const lines = wrapLabel(long, 14);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(14);
    expect(lines.join(' ')).toBe(long);
  });
});

describe('local key names', () => {
  const en = translator('en');
  const de = translator('de');

  it('shorten the local stack keys, translated, with the variable for a title', () => {
    const name = 'local admin key (from STAGEFLOW_ADMIN_KEY)';
    expect(keyNameLabel(en, name)).toBe('local admin key');
    expect(keyNameLabel(de, name)).toBe('Admin-Schlüssel (lokal)');
    expect(localKeyEnv(en, name)).toBe("The local stack's key from STAGEFLOW_ADMIN_KEY");
    expect(keyNameLabel(de, 'local ingest key (from STAGEFLOW_API_KEY)')).toBe(
      'Erfassungs-Schlüssel (lokal)',
    );
  });

  it('leave every other name as it is', () => {
    expect(keyNameLabel(en, 'ci deploy key')).toBe('ci deploy key');
    expect(localKeyEnv(en, 'ci deploy key')).toBeUndefined();
  });
});
