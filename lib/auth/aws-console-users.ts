import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { explain, statefulStackName } from './aws-key-admin.js';
import { type ConsoleUserAdmin, type ConsoleUserView, UserAdminError } from './console-users.js';
import { USER_GROUPS, type UserGroup } from './user-tokens.js';

/** The stateful stack's output naming the console's user pool (infra/stateful-stack.ts). */
export const USER_POOL_OUTPUT = 'UserPoolId';
/** The stateless stack's output with the console's URL (infra/stateless-stack.ts). */
export const CONSOLE_URL_OUTPUT = 'ConsoleUrl';
export const statelessStackName = (stage: string) => `Stageflow-${stage}-Stateless`;

/** What the adapter sends: the SDK client, or a fake in tests. */
export interface CognitoSender {
  send(command: unknown): Promise<unknown>;
}

/** A stack's outputs by key, or null when the stack does not exist. */
export type StackOutputs = (stackName: string) => Promise<Record<string, string> | null>;

/** Reads outputs with CloudFormation (default credentials, `region` when given). */
export function cloudFormationOutputs(region: string | undefined): StackOutputs {
  return async (stackName) => {
    const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const cfn = new CloudFormationClient(region ? { region } : {});
    try {
      const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
      return Object.fromEntries(
        (out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue ?? '']),
      );
    } catch (error) {
      const e = error as Error;
      if (e.name === 'ValidationError' && /does not exist/.test(e.message)) return null;
      throw new UserAdminError(explain(error, { stackName, region }));
    } finally {
      cfn.destroy();
    }
  };
}

export interface UserPoolTarget {
  userPoolId: string;
  /** The console's URL, for the message after `create` (absent when the stateless stack is not there). */
  consoleUrl?: string;
  where: string;
}

/** Finds the stage's user pool from its stateful stack's `UserPoolId` output. */
export async function resolveUserPool(stage: string, outputs: StackOutputs): Promise<UserPoolTarget> {
  if (!/^[a-z][a-z0-9-]*$/.test(stage))
    throw new UserAdminError(`"${stage}" is not a stage name (dev, prod).`);
  const stack = statefulStackName(stage);
  const stateful = await outputs(stack);
  if (!stateful) {
    throw new UserAdminError(
      `Stack ${stack} does not exist in this account and region: deploy it first (\`npm run deploy\`, ` +
        'README "Deploy"), or pass --region / --stage. Console users exist only deployed; locally, ' +
        'sign in with an admin or read key (`npm run keys`).',
    );
  }
  const userPoolId = stateful[USER_POOL_OUTPUT];
  if (!userPoolId) {
    throw new UserAdminError(
      `Stack ${stack} has no ${USER_POOL_OUTPUT} output: it was deployed before the console had ` +
        'sign-in. Deploy the current version (`npm run deploy`) first.',
    );
  }
  const consoleUrl = (await outputs(statelessStackName(stage)))?.[CONSOLE_URL_OUTPUT] || undefined;
  return { userPoolId, consoleUrl, where: `user pool ${userPoolId} (stack ${stack})` };
}

export const cognitoClient = (region: string | undefined) =>
  new CognitoIdentityProviderClient(region ? { region, maxAttempts: 5 } : { maxAttempts: 5 });

/** Adapter: the console's users in a Cognito user pool; the user name is the email. */
export class CognitoConsoleUsers implements ConsoleUserAdmin {
  constructor(
    private readonly client: CognitoSender,
    private readonly userPoolId: string,
  ) {}

  async create(email: string, group: UserGroup): Promise<{ created: boolean }> {
    let created = true;
    try {
      // Cognito mails the invitation: the user name and a temporary password (valid 7 days).
      await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            // The address is the one an admin typed in; the invitation proves it reaches them.
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'UsernameExistsException') throw this.explain(error, email);
      created = false;
    }
    try {
      await this.client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: email, GroupName: group }),
      );
    } catch (error) {
      throw this.explain(error, email);
    }
    return { created };
  }

  async list(): Promise<ConsoleUserView[]> {
    const groupsOf = new Map<string, string[]>();
    for (const group of USER_GROUPS) {
      for (const user of await this.all((token) =>
        this.client.send(
          new ListUsersInGroupCommand({ UserPoolId: this.userPoolId, GroupName: group, NextToken: token }),
        ),
      )) {
        const name = user.Username ?? '';
        groupsOf.set(name, [...(groupsOf.get(name) ?? []), group]);
      }
    }
    const users = await this.all((token) =>
      this.client.send(new ListUsersCommand({ UserPoolId: this.userPoolId, PaginationToken: token })),
    );
    return users
      .map((u) => ({
        email: u.Attributes?.find((a) => a.Name === 'email')?.Value ?? u.Username ?? '',
        groups: groupsOf.get(u.Username ?? '') ?? [],
        status: u.UserStatus ?? 'UNKNOWN',
        enabled: u.Enabled ?? true,
        createdAt: u.UserCreateDate ? new Date(u.UserCreateDate).toISOString() : null,
      }))
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  async delete(email: string): Promise<void> {
    try {
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: email }));
    } catch (error) {
      throw this.explain(error, email);
    }
  }

  /** Every page of a list call (ListUsers pages with PaginationToken, ListUsersInGroup with NextToken). */
  private async all(page: (token: string | undefined) => Promise<unknown>): Promise<UserType[]> {
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      let out: { Users?: UserType[]; NextToken?: string; PaginationToken?: string };
      try {
        out = (await page(token)) as typeof out;
      } catch (error) {
        throw this.explain(error);
      }
      users.push(...(out.Users ?? []));
      token = out.NextToken ?? out.PaginationToken;
    } while (token);
    return users;
  }

  private explain(error: unknown, email?: string): UserAdminError {
    const name = (error as Error).name;
    if (name === 'UserNotFoundException') return new UserAdminError(`There is no console user ${email}.`);
    if (name === 'ResourceNotFoundException') {
      return new UserAdminError(
        `User pool ${this.userPoolId} does not exist (any more): redeploy the stage.`,
      );
    }
    if (name === 'InvalidParameterException')
      return new UserAdminError(`Cognito refused it: ${(error as Error).message}`);
    return new UserAdminError(explain(error, {}));
  }
}
