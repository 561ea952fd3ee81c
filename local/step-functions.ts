import './polyfills.js';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { StateMachine } from 'aws-local-stepfunctions';
import { Lru } from '../lib/lru.js';
import type { LambdaHandler } from './api-server.js';
import { freePort } from './dynamodb.js';
import { lambdaContext } from './lambda-context.js';

// biome-ignore lint/suspicious/noExplicitAny: ASL is plain JSON
export type Asl = Record<string, any>;

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

export interface LocalStepFunctionsOptions {
  /** State machine ARN → its ASL, as synthesized by CDK. */
  definitions: Record<string, Asl>;
  /** Lambda function name (as in the ASL's Resource ARN) → the local handler. */
  resolveTask: (functionArn: string) => LambdaHandler | undefined;
  /** Retry intervals are multiplied by this (STAGEFLOW_TIME_SCALE), so retries fit the scaled clock. */
  timeScale: number;
  /** Finished executions kept for Describe/ListExecutions (default 1,000); older ones are forgotten. */
  keepFinished?: number;
  log?: (line: string) => void;
}

/**
 * A local Step Functions endpoint: the real @aws-sdk/client-sfn talks to it (StartExecution,
 * DescribeExecution, ListExecutions) and it runs the synthesized definitions with
 * aws-local-stepfunctions, each Lambda task bound to the same handler CDK deploys.
 */
export class LocalStepFunctions {
  /** Running executions, all of them: each holds a flow's state until it ends. */
  private readonly active = new Map<string, LocalExecution>();
  /**
   * Finished executions, the most recent `keepFinished` only, so a stack that runs for days
   * does not keep every execution's input and output. A forgotten name can start again; the
   * message log's send claims still keep each mail to one send.
   */
  private readonly finished: Lru<string, LocalExecution>;
  private readonly running = new Set<Promise<unknown>>();
  private readonly machines = new Map<Asl, Prepared>();
  private server?: Server;
  endpoint = '';

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.finished = new Lru(options.keepFinished ?? 1_000);
  }

  /** Running executions and the finished ones still kept, by `<stateMachineArn>:<name>`. */
  get executions(): ReadonlyMap<string, LocalExecution> {
    return new Map([...this.finished.entriesOldestFirst(), ...this.active]);
  }

  async start(port?: number): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      let status = 200;
      let body: unknown;
      try {
        body = this.call(target, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (error) {
        status = 400;
        const type = (error as Error).name;
        body = { __type: type, message: (error as Error).message };
        res.setHeader('x-amzn-errortype', type);
      }
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    });
    const listenPort = port ?? (await freePort());
    await new Promise<void>((resolve) => this.server!.listen(listenPort, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${listenPort}`;
    return this;
  }

  // biome-ignore lint/suspicious/noExplicitAny: protocol payloads
  private call(target: string, request: any): unknown {
    switch (target) {
      case 'StartExecution':
        return this.startExecution(
          request.stateMachineArn,
          request.name ?? randomUUID(),
          request.input ?? '{}',
        );
      case 'DescribeExecution': {
        const e = [...this.executions.values()].find((x) => x.executionArn === request.executionArn);
        if (!e) throw named('ExecutionDoesNotExist', `Execution does not exist: ${request.executionArn}`);
        return describe(e);
      }
      case 'ListExecutions':
        return {
          executions: [...this.executions.values()]
            .filter((e) => !request.stateMachineArn || e.stateMachineArn === request.stateMachineArn)
            .map((e) => ({ ...describe(e), input: undefined, output: undefined })),
        };
      default:
        throw named('UnknownOperationException', `The local Step Functions does not implement ${target}`);
    }
  }

  /** Same name and input: the existing execution (as AWS does); same name, other input: an error. */
  startExecution(stateMachineArn: string, name: string, input: string) {
    const definition = this.options.definitions[stateMachineArn];
    if (!definition)
      throw named('StateMachineDoesNotExist', `State machine does not exist: ${stateMachineArn}`);
    const key = `${stateMachineArn}:${name}`;
    const existing = this.active.get(key) ?? this.finished.peek(key);
    if (existing) {
      if (existing.input !== input)
        throw named('ExecutionAlreadyExists', `Execution already exists: ${name}`);
      return { executionArn: existing.executionArn, startDate: existing.startDate.getTime() / 1000 };
    }
    const execution: LocalExecution = {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: new Date(),
    };
    this.active.set(key, execution);
    const run = this.run(definition, execution).finally(() => {
      this.running.delete(run);
      this.active.delete(key);
      this.finished.set(key, execution);
    });
    this.running.add(run);
    return { executionArn: execution.executionArn, startDate: execution.startDate.getTime() / 1000 };
  }

  /** One parsed machine per definition, with its task bindings: parsing on every start cost CPU. */
  private prepared(definition: Asl): Prepared {
    let found = this.machines.get(definition);
    if (found) return found;
    const machine = new StateMachine(definition as never, {
      validationOptions: { checkArn: false, checkPaths: false },
    });
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const retries: Record<string, number[]> = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      const handler = this.options.resolveTask(String(state.Resource));
      if (!handler) throw new Error(`No local handler for task "${stateName}" (${state.Resource})`);
      const functionName = String(state.Resource).split(':function:')[1] ?? stateName;
      handlers[stateName] = (input) => handler(input, lambdaContext(functionName));
      if (Array.isArray(state.Retry)) {
        retries[stateName] = state.Retry.map(
          (r: { IntervalSeconds?: number }) => (r.IntervalSeconds ?? 1) * 1000 * this.options.timeScale,
        );
      }
    }
    found = { machine, handlers, retries };
    this.machines.set(definition, found);
    return found;
  }

  private async run(definition: Asl, execution: LocalExecution): Promise<void> {
    const { machine, handlers, retries } = this.prepared(definition);
    try {
      const { result } = machine.run(JSON.parse(execution.input), {
        overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: retries },
        context: {
          Execution: { Id: execution.executionArn, Name: execution.name, Input: JSON.parse(execution.input) },
        },
      });
      execution.output = JSON.stringify(await result);
      execution.status = 'SUCCEEDED';
    } catch (error) {
      execution.status = 'FAILED';
      execution.error = (error as Error).name;
      execution.cause = (error as Error).message;
      this.options.log?.(`execution ${execution.name} failed: ${execution.error}: ${execution.cause}`);
    } finally {
      execution.stopDate = new Date();
    }
  }

  /** Resolves once no execution is running (waits can make that a while). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}

interface Prepared {
  machine: StateMachine;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  retries: Record<string, number[]>;
}

function* allStates(definition: Asl): Generator<[string, Asl]> {
  for (const [name, state] of Object.entries(definition.States ?? {}) as [string, Asl][]) {
    yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* allStates(nested);
    for (const branch of state.Branches ?? []) yield* allStates(branch);
  }
}

const describe = (e: LocalExecution) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: e.startDate.getTime() / 1000,
  ...(e.stopDate ? { stopDate: e.stopDate.getTime() / 1000 } : {}),
  input: e.input,
  ...(e.output ? { output: e.output } : {}),
  ...(e.error ? { error: e.error, cause: e.cause } : {}),
});

const named = (name: string, message: string) => Object.assign(new Error(message), { name });
