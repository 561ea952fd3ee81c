import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SESv2ServiceException,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it, vi } from 'vitest';
import { PermanentSendError, TransientSendError } from '../../lib/messaging/errors.js';
import type { OutgoingEmail } from '../../lib/messaging/ports.js';
import { SesEmailSender } from '../../lib/messaging/ses-email-sender.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const email: OutgoingEmail = {
  to: 'ada@example.com',
  sesTemplate: 'stageflow-thank-you_en',
  templateData: { firstName: 'Ada', raw: { firstName: 'Ada' } },
  headers: [{ name: 'List-Unsubscribe', value: '<https://api.example/v1/unsubscribe/t>' }],
  tags: { category: 'marketing' },
  tracked: true,
};

function senderFailingWith(error: unknown) {
  const client = new SESv2Client({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const send = vi.spyOn(client, 'send').mockImplementation(async () => {
    throw error;
  });
  return {
    sender: new SesEmailSender(client, { from: 'Shop <shop@example.com>', configurationSet: 'cs' }),
    send,
  };
}

describe('Class: SesEmailSender', () => {
  it('sends a stored template with headers, tags and the configuration set', async () => {
    // Prepare
    const client = new SESv2Client({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const send = vi
      .spyOn(client, 'send')
      .mockImplementation(async () => ({ MessageId: 'm-1', $metadata: {} }));
    // Act
    const out = await new SesEmailSender(client, {
      from: 'Shop <shop@example.com>',
      configurationSet: 'cs',
    }).send(email);
    // Assess
    expect(out).toEqual({ messageId: 'm-1' });
    const command = send.mock.calls[0][0] as SendEmailCommand;
    expect(command).toBeInstanceOf(SendEmailCommand);
    expect(command.input).toEqual({
      FromEmailAddress: 'Shop <shop@example.com>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Template: {
          TemplateName: 'stageflow-thank-you_en',
          TemplateData: JSON.stringify(email.templateData),
          Headers: [{ Name: 'List-Unsubscribe', Value: '<https://api.example/v1/unsubscribe/t>' }],
        },
      },
      ConfigurationSetName: 'cs',
      EmailTags: [{ Name: 'category', Value: 'marketing' }],
    });
  });

  it.each([
    ['throttling', new TooManyRequestsException({ message: 'slow down', ...meta(429) })],
    ['a daily quota', new LimitExceededException({ message: 'quota', ...meta(400) })],
    ['paused sending', new SendingPausedException({ message: 'paused', ...meta(400) })],
    [
      'a 503',
      new SESv2ServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        message: 'unavailable',
        ...meta(503),
      }),
    ],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'an SDK-retryable error',
      Object.assign(new Error('x'), { name: 'Odd', $retryable: { throttling: true } }),
    ],
  ])('throws TransientSendError on %s, so the workflow retries', async (_label, error) => {
    // Prepare
    const { sender } = senderFailingWith(error);
    // Act
    const sent = sender.send(email);
    // Assess
    await expect(sent).rejects.toBeInstanceOf(TransientSendError);
    await expect(sent).rejects.toMatchObject({ cause: error });
  });

  it.each([
    ['a rejected message', new MessageRejected({ message: 'Email address is not verified', ...meta(400) })],
    ['a bad request', new BadRequestException({ message: 'bad', ...meta(400) })],
    ['a missing template', new NotFoundException({ message: 'no template', ...meta(404) })],
    ['a suspended account', new AccountSuspendedException({ message: 'suspended', ...meta(400) })],
    ['an unknown client error', new Error('boom')],
  ])('throws PermanentSendError on %s, so it is recorded as failed', async (_label, error) => {
    // Prepare
    const { sender } = senderFailingWith(error);
    // Act & Assess
    await expect(sender.send(email)).rejects.toBeInstanceOf(PermanentSendError);
  });
});
