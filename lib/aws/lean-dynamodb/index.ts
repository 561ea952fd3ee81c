/**
 * The ingest bundle's stand-in for `@aws-sdk/client-dynamodb` (infra/bundling.ts,
 * INGEST_ALIASES): exactly the names the modules ingest reaches import from it. A command the
 * lean client does not carry fails the bundle's build ("No matching export"), an option or a
 * parameter it does not support throws when the client is built or the command sent.
 */
import type { LeanCommand } from './client.js';

export { DynamoDBClient } from './client.js';
export {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  TransactionCanceledException,
} from './errors.js';

const command = (operation: string) =>
  class implements LeanCommand {
    readonly operation = operation;
    constructor(readonly input: object) {}
  };

export const GetItemCommand = command('GetItem');
export const PutItemCommand = command('PutItem');
export const UpdateItemCommand = command('UpdateItem');
export const QueryCommand = command('Query');
export const BatchGetItemCommand = command('BatchGetItem');
export const BatchWriteItemCommand = command('BatchWriteItem');
export const TransactWriteItemsCommand = command('TransactWriteItems');

export type LeanCommandLike = LeanCommand;
