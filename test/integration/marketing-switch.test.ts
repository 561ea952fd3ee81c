import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/marketing-switch.js';
import { resetConfig } from '../../lib/config.js';
import { isMarketingPaused } from '../../lib/flows/dynamodb-marketing-switch.js';
import { ALARM_STATE_CHANGE } from '../../lib/flows/marketing-switch.js';
import { testTable } from '../support/local.js';

const alarmEvent = (alarmName: string, value: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', timestamp: string) => ({
  version: '0',
  id: `evt-${alarmName}-${value}-${timestamp}`,
  source: 'aws.cloudwatch',
  'detail-type': ALARM_STATE_CHANGE,
  account: '123456789012',
  time: timestamp,
  region: 'eu-central-1',
  resources: [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${alarmName}`],
  detail: {
    alarmName,
    state: { value, reason: 'Threshold Crossed: 1 datapoint', timestamp },
    previousState: { value: value === 'ALARM' ? 'OK' : 'ALARM' },
  },
});

describe('Marketing switch: the function against DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof testTable>>;
  // biome-ignore lint/suspicious/noExplicitAny: the handler's context is not used
  const invoke = (event: unknown) => handler(event as any, {} as any);

  beforeAll(async () => {
    table = await testTable('marketing-switch');
    process.env.TABLE_NAME = table.tableName;
    process.env.DYNAMODB_ENDPOINT = table.endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    resetConfig();
  });

  it('pauses marketing on a bounce alarm, stays paused while the complaint alarm fires, resumes when both are OK', async () => {
    // Prepare
    const paused = () => isMarketingPaused(table.client, table.tableName);
    expect(await paused()).toBe(false);

    // Act + Assess
    await invoke(alarmEvent('stageflow-dev-ses-bounce-rate', 'ALARM', '2026-11-23T10:00:00Z'));
    expect(await paused()).toBe(true);
    await invoke(alarmEvent('stageflow-dev-ses-complaint-rate', 'ALARM', '2026-11-23T10:05:00Z'));
    await invoke(alarmEvent('stageflow-dev-ses-bounce-rate', 'OK', '2026-11-23T11:00:00Z'));
    expect(await paused()).toBe(true);
    // A late duplicate of an older state changes nothing.
    await invoke(alarmEvent('stageflow-dev-ses-bounce-rate', 'ALARM', '2026-11-23T10:00:00Z'));
    await invoke(alarmEvent('stageflow-dev-ses-complaint-rate', 'OK', '2026-11-23T11:05:00Z'));
    expect(await paused()).toBe(false);

    const out = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'SETTINGS' }, sk: { S: 'MARKETING' } },
      }),
    );
    expect(unmarshall(out.Item!)).toMatchObject({
      paused: false,
      reason: 'SES reputation alarms OK again',
      at: expect.any(String),
      alarms: {
        'stageflow-dev-ses-bounce-rate': { state: 'OK' },
        'stageflow-dev-ses-complaint-rate': { state: 'OK' },
      },
    });
  });

  it('ignores events that are not alarm state changes', async () => {
    expect(await invoke({ source: 'aws.ses', 'detail-type': 'Email Bounced', detail: {} })).toEqual({
      paused: null,
    });
  });
});
