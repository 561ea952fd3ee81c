import { describe, expect, it } from 'vitest';
import { CognitoConsoleUsers, resolveUserPool, type StackOutputs } from '../../lib/auth/aws-console-users.js';
import { UserAdminError, userCommand } from '../../lib/auth/console-users.js';

/**
 * `npm run users`: its argument handling, and the Cognito calls it makes, against a fake client
 * at the adapter boundary (the SDK's send) and fake stack outputs.
 */

type Sent = { command: string; input: Record<string, unknown> };

/** A Cognito client that records each command and answers from `answer` (throwing what it throws). */
function fakeCognito(answer: (sent: Sent) => unknown = () => ({})) {
  const sent: Sent[] = [];
  return {
    sent,
    client: {
      async send(command: unknown) {
        const c = command as { constructor: { name: string }; input: Record<string, unknown> };
        const record = { command: c.constructor.name, input: c.input };
        sent.push(record);
        return answer(record);
      },
    },
  };
}

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('npm run users: arguments', () => {
  it('takes create with an email and a group, normalizing the email', () => {
    expect(
      userCommand({ positionals: ['create'], email: ' Mara@Shop.Example ', group: 'marketers' }),
    ).toEqual({
      command: 'create',
      email: 'mara@shop.example',
      group: 'marketers',
    });
    expect(userCommand({ positionals: ['list'], json: true })).toEqual({ command: 'list', json: true });
    expect(userCommand({ positionals: ['delete'], email: 'vic@shop.example' })).toEqual({
      command: 'delete',
      email: 'vic@shop.example',
    });
  });

  it.each([
    [{ positionals: ['create'], group: 'marketers' }, /create needs --email/],
    [
      { positionals: ['create'], email: 'not-an-address', group: 'marketers' },
      /"not-an-address" is not an email/,
    ],
    [
      { positionals: ['create'], email: 'a@b.example' },
      /create needs --group: one of marketers \(admin\), viewers \(read\)/,
    ],
    [{ positionals: ['create'], email: 'a@b.example', group: 'admins' }, /"admins" is not a console group/],
    [{ positionals: ['delete'] }, /delete needs --email/],
    [{ positionals: ['promote'] }, /unknown command "promote"/],
    [{ positionals: ['list', 'extra'] }, /unexpected argument "extra"/],
  ])('refuses %o clearly', (input, message) => {
    expect(() => userCommand(input)).toThrow(UserAdminError);
    expect(() => userCommand(input)).toThrow(message);
  });
});

describe('npm run users: finding the pool', () => {
  const outputs =
    (stacks: Record<string, Record<string, string>>): StackOutputs =>
    async (name) =>
      stacks[name] ?? null;

  it('reads the pool from the stateful stack and the console URL from the stateless one', async () => {
    const target = await resolveUserPool(
      'prod',
      outputs({
        'Stageflow-prod-Stateful': { UserPoolId: 'eu-central-1_Abc123', TableName: 't' },
        'Stageflow-prod-Stateless': { ConsoleUrl: 'https://d111.cloudfront.net/console/' },
      }),
    );
    expect(target).toMatchObject({
      userPoolId: 'eu-central-1_Abc123',
      consoleUrl: 'https://d111.cloudfront.net/console/',
      where: 'user pool eu-central-1_Abc123 (stack Stageflow-prod-Stateful)',
    });
  });

  it('says to deploy first when no stack is deployed, or an old one without the pool', async () => {
    await expect(resolveUserPool('dev', outputs({}))).rejects.toThrow(
      /Stack Stageflow-dev-Stateful does not exist.*deploy it first/s,
    );
    await expect(
      resolveUserPool('dev', outputs({ 'Stageflow-dev-Stateful': { TableName: 't' } })),
    ).rejects.toThrow(/has no UserPoolId output/);
    await expect(resolveUserPool('Prod!', outputs({}))).rejects.toThrow(/not a stage name/);
  });
});

describe('npm run users: Cognito calls', () => {
  it('creates the user with the email as user name, invites by mail, and adds the group', async () => {
    const cognito = fakeCognito();
    const users = new CognitoConsoleUsers(cognito.client, 'pool_1');
    expect(await users.create('mara@shop.example', 'marketers')).toEqual({ created: true });
    expect(cognito.sent).toEqual([
      {
        command: 'AdminCreateUserCommand',
        input: {
          UserPoolId: 'pool_1',
          Username: 'mara@shop.example',
          UserAttributes: [
            { Name: 'email', Value: 'mara@shop.example' },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        },
      },
      {
        command: 'AdminAddUserToGroupCommand',
        input: { UserPoolId: 'pool_1', Username: 'mara@shop.example', GroupName: 'marketers' },
      },
    ]);
  });

  it('adds an existing user to the group instead of failing', async () => {
    const cognito = fakeCognito((s) => {
      if (s.command === 'AdminCreateUserCommand') throw awsError('UsernameExistsException');
      return {};
    });
    const users = new CognitoConsoleUsers(cognito.client, 'pool_1');
    expect(await users.create('vic@shop.example', 'viewers')).toEqual({ created: false });
    expect(cognito.sent.map((s) => s.command)).toEqual([
      'AdminCreateUserCommand',
      'AdminAddUserToGroupCommand',
    ]);
  });

  it('explains Cognito failures without a stack trace', async () => {
    const missing = new CognitoConsoleUsers(
      fakeCognito(() => {
        throw awsError('UserNotFoundException');
      }).client,
      'pool_1',
    );
    await expect(missing.delete('nobody@shop.example')).rejects.toThrow(
      new UserAdminError('There is no console user nobody@shop.example.'),
    );
    const gone = new CognitoConsoleUsers(
      fakeCognito(() => {
        throw awsError('ResourceNotFoundException');
      }).client,
      'pool_1',
    );
    await expect(gone.create('a@shop.example', 'viewers')).rejects.toThrow(/User pool pool_1 does not exist/);
  });

  it('deletes by email', async () => {
    const cognito = fakeCognito();
    await new CognitoConsoleUsers(cognito.client, 'pool_1').delete('vic@shop.example');
    expect(cognito.sent).toEqual([
      { command: 'AdminDeleteUserCommand', input: { UserPoolId: 'pool_1', Username: 'vic@shop.example' } },
    ]);
  });

  it('lists every page of users with their groups', async () => {
    const user = (name: string) => ({
      Username: name,
      Attributes: [{ Name: 'email', Value: name }],
      UserStatus: 'CONFIRMED',
      Enabled: true,
      UserCreateDate: new Date('2026-11-01T10:00:00Z'),
    });
    const cognito = fakeCognito((s) => {
      if (s.command === 'ListUsersInGroupCommand') {
        return s.input.GroupName === 'marketers' ? { Users: [user('mara@shop.example')] } : { Users: [] };
      }
      // Two pages.
      return s.input.PaginationToken
        ? { Users: [{ ...user('new@shop.example'), UserStatus: 'FORCE_CHANGE_PASSWORD' }] }
        : { Users: [user('mara@shop.example')], PaginationToken: 'p2' };
    });
    const list = await new CognitoConsoleUsers(cognito.client, 'pool_1').list();
    expect(list).toEqual([
      {
        email: 'mara@shop.example',
        groups: ['marketers'],
        status: 'CONFIRMED',
        enabled: true,
        createdAt: '2026-11-01T10:00:00.000Z',
      },
      {
        email: 'new@shop.example',
        groups: [],
        status: 'FORCE_CHANGE_PASSWORD',
        enabled: true,
        createdAt: '2026-11-01T10:00:00.000Z',
      },
    ]);
    expect(cognito.sent.filter((s) => s.command === 'ListUsersCommand')).toHaveLength(2);
  });
});
