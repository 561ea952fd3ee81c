import { describe, expect, it } from 'vitest';
import { redactPersonalData } from '../../lib/shared/redact.js';

describe('redactPersonalData', () => {
  it('replaces personal attributes and masks email addresses in any string', () => {
    // Act
    const line = JSON.parse(
      JSON.stringify(
        {
          message: 'send failed for ada@example.com: MessageRejected',
          traits: { email: 'ada@example.com', firstName: 'Ada' },
          email: 'ada@example.com',
          to: 'Ada <ada@example.com>',
          nested: { firstName: 'Ada', stage: 'act' },
          correlationId: 'm-1',
        },
        redactPersonalData,
      ),
    );
    // Assess
    expect(line).toEqual({
      message: 'send failed for [email]: MessageRejected',
      traits: '[redacted]',
      email: '[redacted]',
      to: '[redacted]',
      nested: { firstName: '[redacted]', stage: 'act' },
      correlationId: 'm-1',
    });
  });
});
