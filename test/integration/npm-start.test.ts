import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.js';
import { eventually } from '../support/eventually.js';

/**
 * `npm start` as a user runs it: a separate process with nothing from the test setup, so what
 * the local stack needs (Java, polyfills, seeding) must come from the command itself.
 */
describe('npm start', () => {
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(() => {
    // Its own process group, so a failed run takes DynamoDB Local (its child) down too.
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('serves the API, runs a flow end to end, and stops everything on SIGTERM', async () => {
    // Prepare
    const port = await freePort();
    const sesPort = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory'], {
      env: {
        ...process.env,
        PORT: String(port),
        STAGEFLOW_SES_PORT: String(sesPort),
        STAGEFLOW_TIME_SCALE: '0.00001',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const api = `http://127.0.0.1:${port}`;
    await eventually(async () => expect((await fetch(`${api}/health`)).status).toBe(200), {
      timeoutMs: 60_000,
    });
    await eventually(() => expect(output).toContain('Ctrl-C stops everything'));
    const dynamodb = /DynamoDB\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(output).toContain('sf_local_ingest_key');
    expect(dynamodb).toBeDefined();

    // Act: a purchase by a known customer
    const post = (body: unknown) =>
      fetch(`${api}/v1/touchpoints`, {
        method: 'POST',
        headers: { authorization: 'Bearer sf_local_ingest_key', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await post({
          messageId: 'ns-1',
          userId: 'ns-u',
          event: 'identify',
          traits: { email: 'ns@example.com' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post({
          messageId: 'ns-2',
          userId: 'ns-u',
          event: 'Order Completed',
          properties: { order_id: 'o-ns' },
        })
      ).status,
    ).toBe(200);

    // Assess: the thank-you reaches the local SES inbox
    await eventually(
      async () => {
        const store = (await (await fetch(`http://127.0.0.1:${sesPort}/store`)).json()) as {
          emails: { subject: string; destination: { to: string[] } }[];
        };
        expect(store.emails.map((e) => [e.subject, e.destination.to[0]])).toEqual([
          ['Thank you for your order o-ns', 'ns@example.com'],
        ]);
      },
      { timeoutMs: 30_000 },
    );

    // Act: stop it as a process manager would
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');

    // Assess: it exits cleanly and DynamoDB Local is gone with it
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    await expect(fetch(dynamodb!)).rejects.toThrow();
  }, 120_000);
});
