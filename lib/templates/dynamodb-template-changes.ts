import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from '../storage/table.js';
import type { TemplateChange, TemplateChangeLog } from './ports.js';

const key = (name: string) => marshall({ pk: keys.templateChange(name), sk: keys.templateChangeSk });

/** `TPL#<name>` / `CHANGE`: the last change of a template, beside SES, which holds the content. */
export class DynamoDbTemplateChanges implements TemplateChangeLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(name: string): Promise<TemplateChange | null> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(name) }));
    if (!out.Item) return null;
    const item = unmarshall(out.Item);
    return { at: String(item.at), ...(typeof item.by === 'string' ? { by: item.by } : {}) };
  }

  async record(name: string, change: TemplateChange): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          { pk: keys.templateChange(name), sk: keys.templateChangeSk, entity: 'template-change', ...change },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  async remove(name: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(name) }));
  }
}
