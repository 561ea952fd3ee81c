import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.js';
import { eventually } from '../support/eventually.js';

/** Pids of the processes whose command line contains all of `words` (here: DynamoDB Local's java). */
function pidsOf(...words: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => cmd.includes(w))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * `npm start` as a user runs it: a separate process with nothing from the test setup, so what
 * the local stack needs (Java, polyfills, seeding) must come from the command itself.
 */
describe('npm start', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    // Their own process groups, so a failed run takes DynamoDB Local (a child) down too.
    for (const child of children) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  async function start(command: string, args: string[]) {
    const port = await freePort();
    const sesPort = await freePort();
    const child = spawn(command, args, {
      env: {
        ...process.env,
        PORT: String(port),
        STAGEFLOW_SES_PORT: String(sesPort),
        STAGEFLOW_TIME_SCALE: '0.00001',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    const run = { child, port, sesPort, api: `http://127.0.0.1:${port}`, output: '' };
    child.stdout?.on('data', (d) => {
      run.output += d;
    });
    child.stderr?.on('data', (d) => {
      run.output += d;
    });
    // Ready means seeded: the first answer of /health already finds the defaults.
    await eventually(async () => expect((await fetch(`${run.api}/health`)).status).toBe(200), {
      timeoutMs: 180_000,
      intervalMs: 25,
    });
    const admin = { authorization: 'Bearer sf_local_admin_key' };
    const campaigns = (await (await fetch(`${run.api}/v1/campaigns`, { headers: admin })).json()) as {
      items: unknown[];
    };
    const templates = (await (await fetch(`${run.api}/v1/templates`, { headers: admin })).json()) as {
      items: unknown[];
    };
    expect(campaigns.items.length).toBeGreaterThanOrEqual(5);
    expect(templates.items.length).toBeGreaterThanOrEqual(5);
    expect(run.output).toContain('Stageflow is running');
    const dynamoPort = /DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output)?.[1];
    expect(dynamoPort).toBeDefined();
    // The same object: `output` keeps growing as the process prints.
    return Object.assign(run, { dynamoPort: dynamoPort!, ses: `http://127.0.0.1:${sesPort}` });
  }

  const purchase = async (api: string, user: string, order: string) => {
    const post = (body: unknown) =>
      fetch(`${api}/v1/touchpoints`, {
        method: 'POST',
        headers: { authorization: 'Bearer sf_local_ingest_key', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const email = `${user}@example.com`;
    const first = await post({
      messageId: `${user}-1`,
      userId: user,
      event: 'identify',
      traits: { email, firstName: 'Grace' },
    });
    expect(first.status).toBe(200);
    const second = await post({
      messageId: `${user}-2`,
      userId: user,
      event: 'Order Completed',
      properties: { order_id: order },
    });
    expect(second.status).toBe(200);
  };

  const inbox = async (ses: string) =>
    (
      (await (await fetch(`${ses}/store`)).json()) as {
        emails: { subject: string; destination: { to: string[] } }[];
      }
    ).emails.map((e) => [e.subject, e.destination.to[0]]);

  it('is ready only when seeded, traces flows by id, survives DynamoDB Local dying, and stops on SIGTERM', async () => {
    // Prepare
    const run = await start(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory']);
    const java = () => pidsOf('-port', run.dynamoPort);
    expect(java()).toHaveLength(1);

    // Act: a purchase by a known customer
    await purchase(run.api, 'ns-u', 'o-ns');

    // Assess: the thank-you reaches the local SES inbox, and the console says so by ids only
    await eventually(
      async () =>
        expect(await inbox(run.ses)).toEqual([['Thank you for your order o-ns', 'ns-u@example.com']]),
      {
        timeoutMs: 30_000,
      },
    );
    await eventually(() => {
      if (!run.output.includes('run started'))
        throw new Error(`no trace line in:\n${run.output.slice(-3000)}`);
      expect(run.output).toMatch(/flow thank-you campaign \S+ run \w+ step 0: run started/);
      expect(run.output).toMatch(/flow thank-you campaign \S+ run \w+ step 0: sent/);
    });
    expect(run.output).not.toContain('ns-u@example.com');
    expect(run.output).not.toContain('Grace');
    expect(run.output).not.toContain('ns-u');

    // Act: DynamoDB Local hangs
    const [pid] = java();
    process.kill(pid, 'SIGSTOP');
    try {
      // Assess: health tells the truth
      await eventually(
        async () => {
          const res = await fetch(`${run.api}/health`);
          expect(res.status).toBe(503);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          expect(await res.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    // Act: DynamoDB Local dies
    process.kill(pid, 'SIGKILL');

    // Assess: the stack restarts it, puts the table, keys and defaults back, and works again
    await eventually(() => expect(run.output).toContain('DynamoDB Local killed by SIGKILL; restarting it'));
    await eventually(async () => expect((await fetch(`${run.api}/health`)).status).toBe(200), {
      // A JVM start: seconds, more on a loaded machine.
      timeoutMs: 180_000,
    });
    await eventually(
      async () => {
        const res = await fetch(`${run.api}/v1/campaigns`, {
          headers: { authorization: 'Bearer sf_local_admin_key' },
        });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(5);
      },
      { timeoutMs: 30_000 },
    );
    await purchase(run.api, 'ns-v', 'o-nv');
    await eventually(
      async () =>
        expect(await inbox(run.ses)).toContainEqual(['Thank you for your order o-nv', 'ns-v@example.com']),
      {
        timeoutMs: 30_000,
      },
    );
    const restarted = java();
    expect(restarted).toHaveLength(1);

    // Act: stop it as a process manager would
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', resolve));
    run.child.kill('SIGTERM');

    // Assess: it exits cleanly, DynamoDB Local is gone with it, the ports are free
    expect(await exited).toBe(0);
    expect(run.output).toContain('stopped');
    await eventually(() => expect(java()).toEqual([]));
    expect(await portFree(run.port)).toBe(true);
    expect(await portFree(Number(run.dynamoPort))).toBe(true);
  }, 600_000);

  it('npm start -- --quiet logs no flow lines, and SIGTERM to the npm process itself stops everything', async () => {
    // Prepare: npm itself, as a user or a process manager starts it
    const run = await start('npm', ['start', '--', '--in-memory', '--quiet']);
    const java = () => pidsOf('-port', run.dynamoPort);
    expect(java()).toHaveLength(1);
    await purchase(run.api, 'nq-u', 'o-nq');
    await eventually(
      async () =>
        expect(await inbox(run.ses)).toEqual([['Thank you for your order o-nq', 'nq-u@example.com']]),
      {
        timeoutMs: 30_000,
      },
    );
    expect(run.output).not.toMatch(/run started|: sent|GET \/health/);

    // Act: SIGTERM to npm's own pid, not to its process group
    run.child.kill('SIGTERM');

    // Assess: nothing is left: no java, no node serving the API, the ports are free
    await eventually(() => expect(java()).toEqual([]), { timeoutMs: 30_000 });
    await eventually(
      async () => {
        expect(await portFree(run.port)).toBe(true);
        expect(await portFree(run.sesPort)).toBe(true);
        expect(await portFree(Number(run.dynamoPort))).toBe(true);
      },
      { timeoutMs: 30_000 },
    );
    // …and the stack's own node exits too (just after it has stopped DynamoDB Local).
    await eventually(() =>
      expect(
        pidsOf('local/start.ts', '--quiet').filter((p) => {
          try {
            return readFileSync(`/proc/${p}/environ`, 'utf8').includes(`PORT=${run.port}\0`);
          } catch {
            return false;
          }
        }),
      ).toEqual([]),
    );
  }, 400_000);
});
