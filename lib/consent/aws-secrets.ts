import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../config.js';

/**
 * The unsubscribe HMAC secret, read once per process: from STAGEFLOW_UNSUBSCRIBE_SECRET
 * (local stack, tests) or, deployed, from the Secrets Manager secret named by
 * STAGEFLOW_UNSUBSCRIBE_SECRET_ARN (its SecretString, or its `secret` field when JSON).
 */
export function secretSource(options: { value?: string; arn?: string }): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= load(options).catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function load(options: { value?: string; arn?: string }): Promise<string> {
  if (options.value) return options.value;
  if (!options.arn) {
    throw new ConfigurationError(
      'Set STAGEFLOW_UNSUBSCRIBE_SECRET or STAGEFLOW_UNSUBSCRIBE_SECRET_ARN: unsubscribe links need it',
    );
  }
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: options.arn }));
  const raw = out.SecretString ?? '';
  let secret = raw;
  if (raw.trim().startsWith('{')) {
    const parsed = JSON.parse(raw) as { secret?: unknown };
    if (typeof parsed.secret === 'string') secret = parsed.secret;
  }
  if (secret.length < 16)
    throw new ConfigurationError('The unsubscribe secret must be at least 16 characters');
  return secret;
}
