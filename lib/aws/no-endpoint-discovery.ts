/**
 * The deployed functions' stand-in for `@aws-sdk/middleware-endpoint-discovery`: infra/bundling.ts
 * aliases that package to this file. The DynamoDB client still resolves an endpoint-discovery
 * setting and builds a 1,000-entry endpoint cache for it, but none of its commands adds the
 * discovery middleware any more (DynamoDB has account-based endpoints instead), so nothing
 * reads either; test/unit/no-endpoint-discovery.test.ts checks that against the installed SDK.
 *
 * Why: the package brings the cache (`@aws-sdk/endpoint-cache`, mnemonist's LRU cache,
 * obliterator) and the DescribeEndpoints command, about 9 KB minified that every function
 * parsed at each cold start for nothing; `npm run bench` (figure d) measures the init.
 *
 * Only bundles use this: `npm start`, the tests and the scripts import the SDK from node_modules.
 * The names are the ones `@aws-sdk/client-dynamodb` imports (DynamoDBClient, runtimeConfig).
 */

/** The client's setting, kept as the SDK reads it (AWS_ENABLE_ENDPOINT_DISCOVERY), though no command uses it. */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: (env: Record<string, string | undefined>): boolean | undefined => {
    for (const key of ['AWS_ENABLE_ENDPOINT_DISCOVERY', 'AWS_ENDPOINT_DISCOVERY_ENABLED']) {
      if (!(key in env)) continue;
      if (env[key] === '') throw new Error(`Environment variable ${key} can't be empty of undefined, got ""`);
      return !['false', '0'].includes(env[key] ?? '');
    }
    return undefined;
  },
  configFileSelector: (profile: Record<string, string | undefined>): boolean | undefined =>
    'endpoint_discovery_enabled' in profile
      ? !['false', '0'].includes(profile.endpoint_discovery_enabled ?? '')
      : undefined,
  default: undefined,
};

interface EndpointDiscoveryInput {
  endpointDiscoveryEnabled?: boolean;
  endpointDiscoveryEnabledProvider: () => Promise<boolean | undefined>;
}

/** The SDK's resolveEndpointDiscoveryConfig without the endpoint cache no middleware reads. */
export const resolveEndpointDiscoveryConfig = <T extends EndpointDiscoveryInput>(
  input: T,
  { endpointDiscoveryCommandCtor }: { endpointDiscoveryCommandCtor: unknown },
) => {
  const { endpointDiscoveryEnabled, endpointDiscoveryEnabledProvider } = input;
  return Object.assign(input, {
    endpointDiscoveryCommandCtor,
    endpointDiscoveryEnabled:
      endpointDiscoveryEnabled !== undefined
        ? () => Promise.resolve(endpointDiscoveryEnabled)
        : endpointDiscoveryEnabledProvider,
    isClientEndpointDiscoveryEnabled: endpointDiscoveryEnabled !== undefined,
  });
};
