/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy --all`): the home stack and one forwarder stack per
 * extra region, every stack checked by cdk-nag's AwsSolutions pack. Composition only.
 */
import { realpathSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthSummary } from './bootstrap.ts';
import { CHECKS_REGION } from './checks.ts';
import { ChecksStack } from './checks-stack.ts';
import { ingestBusName } from './constructs/ingest-bus.ts';
import { ForwarderStack } from './forwarder-stack.ts';
import { HomeStack } from './home-stack.ts';
import { MemberStack } from './member-stack.ts';
import { forwarderStackName, memberStackName, readSettings, SettingsError } from './settings.ts';

export interface Ec2LedApp {
  readonly home: HomeStack;
  readonly forwarders: readonly ForwarderStack[];
  /** Undefined without context checks. */
  readonly checks?: ChecksStack;
  /** With context organizationId and deviceRoleArn: the member accounts' stack. */
  readonly member: MemberStack | undefined;
}

/** Adds every stack to `app`; tests pass their own App (context, bundling) and environment. */
export function buildApp(
  app: App,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Ec2LedApp {
  const settings = readSettings((key) => app.node.tryGetContext(key), env);
  const [homeRegion, ...extraRegions] = settings.regions ?? [];
  const home = new HomeStack(app, settings.stackName, {
    settings,
    env: { account: settings.account, region: homeRegion },
    description: 'ec2led: EC2 state changes to IoT Core, and device access for the Pi',
  });
  const forwarders = extraRegions.map((region) => {
    const forwarder = new ForwarderStack(app, forwarderStackName(settings, region), {
      homeRegion: homeRegion as string,
      alarmEmail: settings.alarmEmail,
      alarms: settings.alarms,
      deploys: settings.deploys,
      ingestBusName: settings.organizationId === undefined ? undefined : ingestBusName(settings.stackName),
      env: { account: settings.account, region },
      description: `ec2led: forwards EC2 state changes from ${region} to ${homeRegion}`,
    });
    forwarder.addStackDependency(home, 'the home rule should exist before events are forwarded to it');
    return forwarder;
  });
  let checks: ChecksStack | undefined;
  if (settings.checks.length > 0) {
    checks = new ChecksStack(app, `${settings.stackName}-checks`, {
      homeStackName: settings.stackName,
      homeRegion: homeRegion as string,
      checks: settings.checks,
      alarms: settings.alarms,
      alarmEmail: settings.alarmEmail,
      forwarderInRegion: extraRegions.includes(CHECKS_REGION),
      env: { account: settings.account, region: CHECKS_REGION },
      description: `ec2led: HTTP, TCP and HLS checks in ${CHECKS_REGION}, their alarms sent to ${homeRegion}`,
    });
    checks.addStackDependency(home, 'the home rule should exist before check alarms are forwarded to it');
  }
  const member =
    settings.deviceRoleArn === undefined || settings.organizationId === undefined
      ? undefined
      : new MemberStack(app, memberStackName(settings), {
          homeAccount: settings.deviceRoleArn.split(':')[4] as string,
          ingestBusName: ingestBusName(settings.stackName),
          homeRegion: (settings.regions ?? [])[0] as string,
          organizationId: settings.organizationId,
          deviceRoleArn: settings.deviceRoleArn,
          regions: settings.regions ?? [],
          alarmEmail: settings.alarmEmail,
          // No env: one template for every member account and region (a StackSet deploys it as is),
          // and no bootstrap-version check, which reads an SSM parameter a StackSet target lacks.
          synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
          description: 'ec2led member account: EC2 state changes to the home ingest bus, and the reader role',
        });
  // Fails synth on any finding not acknowledged (with its reason) next to the construct it is about.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { home, forwarders, checks, member };
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

/**
 * `cdk synth|deploy` runs this. A bad context value is one line on stderr naming the key, the value
 * and the fix (the CLI then adds its own "Subprocess exited with error 1"); anything else is a bug
 * and keeps its stack trace. A synth that passed cdk-nag ends with two stderr lines: that it passed,
 * and the bootstrap command covering every account and region the stacks deploy to.
 */
export function main(
  app: App = new App(),
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): void {
  let built: Ec2LedApp;
  try {
    built = buildApp(app);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    stderr(`ec2led: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  // Throws ValidationFailed, after cdk-nag's report, on any finding not acknowledged.
  app.synth();
  const deployed = [built.home, ...built.forwarders, ...(built.checks === undefined ? [] : [built.checks])];
  for (const line of synthSummary(deployed, built.member, relative(process.cwd(), app.outdir) || '.')) {
    stderr(`${line}\n`);
  }
}

if (isMain()) main();
