/**
 * DynamoDB's regional endpoint as the SDK's endpoint rules resolve it without FIPS or
 * dual-stack (both refused by the client): `https://dynamodb.<region>.<partition's DNS suffix>`,
 * and `http://localhost:8000` for the region `local`. The partitions are the SDK's
 * (@aws-sdk/core util-endpoints partitions.js): a region matches a partition by its name
 * pattern or as the partition's `<id>-global`; any other region is in `aws`, as in the SDK.
 * test/contract/lean-dynamodb-wire.test.ts checks every region the SDK lists against its resolver.
 */
const PARTITIONS: [id: string, pattern: RegExp, dnsSuffix: string][] = [
  ['aws-cn', /^cn-\w+-\d+$/, 'amazonaws.com.cn'],
  ['aws-eusc', /^eusc-(de)-\w+-\d+$/, 'amazonaws.eu'],
  ['aws-iso', /^us-iso-\w+-\d+$/, 'c2s.ic.gov'],
  ['aws-iso-b', /^us-isob-\w+-\d+$/, 'sc2s.sgov.gov'],
  ['aws-iso-e', /^eu-isoe-\w+-\d+$/, 'cloud.adc-e.uk'],
  ['aws-iso-f', /^us-isof-\w+-\d+$/, 'csp.hci.ic.gov'],
];

export function regionalEndpoint(region: string): string {
  if (region === 'local') return 'http://localhost:8000';
  const partition = PARTITIONS.find(([id, pattern]) => region === `${id}-global` || pattern.test(region));
  return `https://dynamodb.${region}.${partition?.[2] ?? 'amazonaws.com'}`;
}
