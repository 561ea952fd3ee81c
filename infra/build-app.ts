import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, type StageflowSettings } from './settings.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export interface StageflowApp {
  app: App;
  settings: StageflowSettings;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export interface BuildOptions {
  outdir?: string;
  /**
   * CDK's built-in CloudFormation schema validation (on by default). Loading its schemas
   * costs about 15 s per process, so template tests that assert properties turn it off.
   */
  cloudFormationValidation?: boolean;
}

/**
 * Builds the whole CDK app from context (cdk.json and `-c`, or what a test passes):
 * `Stageflow-<stage>-Stateful` and `Stageflow-<stage>-Stateless`, checked by cdk-nag.
 */
export function buildApp(context: Record<string, unknown> = {}, options: BuildOptions = {}): StageflowApp {
  const app = new App({
    context,
    outdir: options.outdir,
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
  });
  const settings = readSettings(app.node);
  const prefix = `Stageflow-${settings.stage}`;
  const prod = settings.stage === 'prod';

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    settings,
    description: `Stageflow ${settings.stage}: journey table, event bus, alarm topic, SES configuration, secrets`,
    terminationProtection: prod,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    settings,
    description: `Stageflow ${settings.stage}: HTTP API, functions, flows, rules, alarms, dashboard`,
    table: stateful.table,
    dataKey: stateful.dataKey,
    alarmTopic: stateful.alarmTopic,
    eventBus: stateful.eventBus,
    configurationSet: stateful.configurationSet,
    untrackedConfigurationSet: stateful.untrackedConfigurationSet,
    unsubscribeSecret: stateful.unsubscribeSecret,
    userPool: stateful.consoleUsers.userPool,
    userPoolDomain: stateful.consoleUsers.domain,
  });

  Tags.of(app).add('project', 'stageflow');
  Tags.of(app).add('stageflow:stage', settings.stage);
  // A finding fails the synth; acknowledgements sit next to the construct they excuse.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, settings, stateful, stateless };
}
