import type {
  _Record as StreamRecord,
  AttributeValue as StreamValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';

/** A DynamoDB Streams API record as Lambda delivers it (epoch-second times, base64 binaries). */
export function toLambdaRecord(r: StreamRecord, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const image = (i: Record<string, StreamValue> | undefined) =>
    i ? (Object.fromEntries(Object.entries(i).map(([k, v]) => [k, lambdaValue(v)])) as never) : undefined;
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: image(d.Keys),
      NewImage: image(d.NewImage),
      OldImage: image(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
  };
}

function lambdaValue(v: StreamValue): unknown {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined)
    return { M: Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, lambdaValue(x)])) };
  if (v.L !== undefined) return { L: v.L.map(lambdaValue) };
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$unknown'));
}
