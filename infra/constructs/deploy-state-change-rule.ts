/**
 * The EventBridge rules for deploys, for both stack kinds: CodePipeline pipeline execution state
 * changes and ECS service deployment state changes of the pipelines and services the user selected
 * (context `deployPrefix`; docs/deploy.md), on the default bus, where both services send them. Home:
 * to the publisher Lambda. Forwarder: to the home bus.
 *
 * Two rules, not one: the pipeline's name is in `detail.pipeline`, the service's only in its ARN in
 * `resources`, matched with a wildcard pattern (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 */
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import {
  CODEPIPELINE_SOURCE,
  ECS_DEPLOYMENT_CHANGE,
  ECS_SOURCE,
  PIPELINE_EXECUTION_CHANGE,
} from '../../lambda/translate-deploy.ts';
import type { DeploySelection } from '../settings.ts';

export interface DeployStateChangeRulesProps {
  /** Where the rules send: "to the publisher Lambda", "to the default bus in eu-west-1". */
  readonly to: string;
  readonly selection: DeploySelection;
}

/** The two event patterns; no prefix selects every pipeline and service. */
export function deployEventPatterns(selection: DeploySelection): {
  readonly pipelines: events.EventPattern;
  readonly services: events.EventPattern;
} {
  const prefixes = selection.namePrefixes;
  return {
    pipelines: {
      source: [CODEPIPELINE_SOURCE],
      detailType: [PIPELINE_EXECUTION_CHANGE],
      ...(prefixes.length === 0 ? {} : { detail: { pipeline: prefixes.map((prefix) => ({ prefix })) } }),
    },
    services: {
      source: [ECS_SOURCE],
      detailType: [ECS_DEPLOYMENT_CHANGE],
      ...(prefixes.length === 0
        ? {}
        : { resources: prefixes.map((prefix) => ({ wildcard: `arn:*:ecs:*:*:service/*/${prefix}*` })) }),
    } as events.EventPattern,
  };
}

export class DeployStateChangeRules {
  readonly rules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: DeployStateChangeRulesProps) {
    const patterns = deployEventPatterns(props.selection);
    this.rules = [
      new events.Rule(scope, `${id}Pipelines`, {
        description: `ec2led: selected CodePipeline execution state changes ${props.to}`,
        eventPattern: patterns.pipelines,
      }),
      new events.Rule(scope, `${id}Services`, {
        description: `ec2led: selected ECS service deployment state changes ${props.to}`,
        eventPattern: patterns.services,
      }),
    ];
  }

  addTarget(target: () => events.IRuleTarget): void {
    for (const rule of this.rules) rule.addTarget(target());
  }
}
