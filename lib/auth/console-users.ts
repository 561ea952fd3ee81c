import * as z from 'zod';
import { GROUP_SCOPES, USER_GROUPS, type UserGroup } from './user-tokens.js';

/**
 * `npm run users` (scripts/users.ts): the console's people in the deployed Cognito user pool.
 * What the commands take, checked before any AWS call; aws-console-users.ts carries them out.
 */

/** A failure the CLI prints as it is, without a stack trace. */
export class UserAdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserAdminError';
  }
}

export type UserCommand =
  | { command: 'create'; email: string; group: UserGroup }
  | { command: 'list'; json: boolean }
  | { command: 'delete'; email: string };

export interface UserCommandInput {
  positionals: string[];
  email?: string;
  group?: string;
  json?: boolean;
}

const Email = z.email();
const GROUPS = USER_GROUPS.map((g) => `${g} (${GROUP_SCOPES[g]})`).join(', ');

/** The email as the user name: trimmed and lower case, so one person is one user. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Checks a command line's command and options; throws UserAdminError saying what is wrong. */
export function userCommand(input: UserCommandInput): UserCommand {
  const [command, ...extra] = input.positionals;
  if (extra.length > 0) throw new UserAdminError(`unexpected argument "${extra[0]}"`);
  const email = () => {
    const value = normalizeEmail(input.email ?? '');
    if (!value) throw new UserAdminError(`${command} needs --email <address> (the person's sign-in name)`);
    if (!Email.safeParse(value).success)
      throw new UserAdminError(`--email "${input.email}" is not an email address`);
    return value;
  };
  switch (command) {
    case 'create': {
      const address = email();
      const group = input.group ?? '';
      if (!(USER_GROUPS as string[]).includes(group)) {
        throw new UserAdminError(
          group
            ? `--group "${group}" is not a console group: use one of ${GROUPS}`
            : `create needs --group: one of ${GROUPS}`,
        );
      }
      return { command, email: address, group: group as UserGroup };
    }
    case 'list':
      return { command, json: input.json ?? false };
    case 'delete':
      return { command, email: email() };
    default:
      throw new UserAdminError(command ? `unknown command "${command}"` : 'a command is needed');
  }
}

/** A console user as `list` shows them. */
export interface ConsoleUserView {
  email: string;
  groups: string[];
  /** Cognito's status: FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED. */
  status: string;
  enabled: boolean;
  createdAt: string | null;
}

/** Port: the user pool's administration. */
export interface ConsoleUserAdmin {
  /** Creates the user (Cognito mails the invitation) unless they exist; adds them to the group. */
  create(email: string, group: UserGroup): Promise<{ created: boolean }>;
  list(): Promise<ConsoleUserView[]>;
  delete(email: string): Promise<void>;
}
