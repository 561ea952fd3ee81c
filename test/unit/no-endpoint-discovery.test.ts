import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as real from '@aws-sdk/middleware-endpoint-discovery';
import { describe, expect, it } from 'vitest';
import * as stub from '../../lib/aws/no-endpoint-discovery.js';

/**
 * The bundles replace `@aws-sdk/middleware-endpoint-discovery` by lib/aws/no-endpoint-discovery.ts
 * (infra/bundling.ts ALIASES), which drops the endpoint cache. That is safe only while no
 * command adds the discovery middleware, the one reader of the cache: checked here against the
 * installed SDK's code, so an SDK update that brings it back fails this test.
 * test/integration/ingest-bundle.test.ts runs a bundle built with the stub against DynamoDB Local.
 */
const SDK = join(import.meta.dirname, '../../node_modules/@aws-sdk');

/** Every `dist-es` file of the installed `@aws-sdk/*` packages that names the discovery package or its plugins. */
function discoveryUsers(): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const pkg of readdirSync(SDK)) {
    const dist = join(SDK, pkg, 'dist-es');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const code = readFileSync(join(dist, file), 'utf8');
      const names = [
        ...code.matchAll(/import\s*{([^}]*)}\s*from\s*"@aws-sdk\/middleware-endpoint-discovery"/g),
      ]
        .flatMap((m) => m[1].split(','))
        .map((n) => n.trim())
        .filter(Boolean);
      if (names.length > 0 || /getEndpointDiscovery\w*Plugin/.test(code)) found[`${pkg}/${file}`] = names;
    }
  }
  return found;
}

describe('lib/aws/no-endpoint-discovery.ts', () => {
  it('stands in for a package whose middleware no command of the installed SDK adds', () => {
    // Act
    const users = discoveryUsers();

    // Assess: only the DynamoDB client's config reads it, with the two names the stub exports.
    expect(users).toEqual({
      'client-dynamodb/DynamoDBClient.js': ['resolveEndpointDiscoveryConfig'],
      'client-dynamodb/runtimeConfig.js': ['NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS'],
      'middleware-endpoint-discovery/getEndpointDiscoveryPlugin.js': [],
      'middleware-endpoint-discovery/index.js': [],
    });
  });

  it('exports what the DynamoDB client imports from the package, resolved as the SDK does', async () => {
    // Prepare
    const provider = async () => undefined;
    const input = () => ({ endpointDiscoveryEnabledProvider: provider });

    // Act
    const fromStub = stub.resolveEndpointDiscoveryConfig(input(), { endpointDiscoveryCommandCtor: Date });
    const fromSdk: Record<string, unknown> = real.resolveEndpointDiscoveryConfig(input() as never, {
      endpointDiscoveryCommandCtor: Date,
    });
    const enabled = stub.resolveEndpointDiscoveryConfig(
      { endpointDiscoveryEnabled: true, endpointDiscoveryEnabledProvider: provider },
      { endpointDiscoveryCommandCtor: Date },
    );

    // Assess: the same settings, less the cache.
    const { endpointCache, ...sdkSettings } = fromSdk;
    expect(endpointCache).toBeDefined();
    expect(fromStub).toEqual(sdkSettings);
    expect(await enabled.endpointDiscoveryEnabled()).toBe(true);
    for (const env of [
      {},
      { AWS_ENABLE_ENDPOINT_DISCOVERY: 'false' },
      { AWS_ENDPOINT_DISCOVERY_ENABLED: '1' },
    ]) {
      expect(stub.NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.environmentVariableSelector(env)).toBe(
        real.NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.environmentVariableSelector(env),
      );
    }
    expect(() =>
      stub.NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.environmentVariableSelector({
        AWS_ENABLE_ENDPOINT_DISCOVERY: '',
      }),
    ).toThrow(/can't be empty/);
  });
});
