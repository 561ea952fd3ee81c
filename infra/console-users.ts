import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  CfnUserPoolGroup,
  FeaturePlan,
  type IUserPool,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClient,
  type UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { GROUP_SCOPES, USER_GROUPS } from '../lib/auth/user-tokens.js';
import type { StageflowSettings } from './settings.js';

/**
 * The console's users (stateful stack): a Cognito user pool nobody can sign up to (admins
 * create users with `npm run users`), its Stageflow groups, and the managed login domain.
 * The pool holds people, so it follows the stage's removal policy like the table.
 */
export class ConsoleUsers extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: { settings: StageflowSettings }) {
    super(scope, id);
    const { settings } = props;
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `stageflow-${settings.stage}-console`,
      selfSignUpEnabled: false,
      // The username is the email (npm run users sets both), so access tokens, whose only
      // name claim is `username`, name the person and `updatedBy` records them.
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // A marketer can pause all marketing mail and erase customers: a password is not enough.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      featurePlan: FeaturePlan.ESSENTIALS,
      email: UserPoolEmail.withCognito(),
      userInvitation: {
        emailSubject: 'Your Stageflow console account',
        emailBody:
          'You have been given access to the Stageflow console. Sign in with the user name ' +
          '{username} and the temporary password {####}; you will choose your own password and ' +
          'set up an authenticator app.',
      },
      deletionProtection: settings.stage === 'prod',
      removalPolicy: settings.removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus plan (threat protection) is priced per monthly user; the console has a handful of ' +
        'admin-created users, no self sign-up, and MFA is required, so Essentials is chosen. A ' +
        'deployment that wants adaptive authentication can switch featurePlan.',
    });

    for (const group of USER_GROUPS) {
      new CfnUserPoolGroup(this, `${group[0].toUpperCase()}${group.slice(1)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description:
          GROUP_SCOPES[group] === 'admin'
            ? 'Marketers: the admin scope (change campaigns, templates, settings and keys)'
            : 'Viewers: the read scope (every GET, no changes)',
      });
    }

    this.domain = this.userPool.addDomain('Domain', {
      // Cognito prefixes are global per region; the account makes this one unique.
      cognitoDomain: { domainPrefix: `stageflow-${settings.stage}-${Stack.of(this).account}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
  }
}

/** The console's app client and its managed login branding (stateless stack). */
export class ConsoleSignIn extends Construct {
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: { userPool: IUserPool; consoleUrl: string }) {
    super(scope, id);
    // In this (stateless) stack's scope: addClient would put it in the pool's stack, which
    // cannot name the distribution it lives behind.
    this.client = new UserPoolClient(this, 'ConsoleClient', {
      userPool: props.userPool,
      userPoolClientName: 'stageflow-console',
      // A browser app: authorization code with PKCE, no secret it could not keep.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // The console keeps no refresh token: when the access token expires it signs in again.
      refreshTokenValidity: Duration.hours(8),
      enableTokenRevocation: true,
    });
    // Newer managed login shows a client's pages only once it has a style; Cognito's defaults.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
  }
}
