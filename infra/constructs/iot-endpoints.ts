/**
 * The account's IoT Core endpoints: the data endpoint (`iot:Data-ATS`, MQTT and HTTPS publish) and the
 * credentials endpoint (`iot:CredentialProvider`). No CloudFormation attribute returns them, so each is
 * either given (context `iotDataEndpoint` / `iotCredentialsEndpoint`) or looked up at deploy time by a
 * custom resource calling DescribeEndpoint, with a role allowed `iot:DescribeEndpoint` and its logs only.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface IotEndpointsProps {
  /** Given: used as is. Undefined: looked up at deploy time. */
  readonly dataEndpoint?: string | undefined;
  readonly credentialsEndpoint?: string | undefined;
}

type EndpointType = 'iot:Data-ATS' | 'iot:CredentialProvider';

export class IotEndpoints extends Construct {
  readonly dataEndpoint: string;
  readonly credentialsEndpoint: string;
  private lookupRole: iam.Role | undefined;
  private lookupLogs: logs.LogGroup | undefined;

  constructor(scope: Construct, id: string, props: IotEndpointsProps) {
    super(scope, id);
    this.dataEndpoint = props.dataEndpoint ?? this.lookUp('DataEndpoint', 'iot:Data-ATS');
    this.credentialsEndpoint =
      props.credentialsEndpoint ?? this.lookUp('CredentialsEndpoint', 'iot:CredentialProvider');
  }

  private lookUp(id: string, endpointType: EndpointType): string {
    const role = this.lookupRole ?? this.createLookupRole();
    const lookup = new cr.AwsCustomResource(this, id, {
      onUpdate: {
        service: 'Iot',
        action: 'describeEndpoint',
        parameters: { endpointType },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('endpointAddress'),
      },
      role,
      logGroup: this.lookupLogs,
      // The Lambda runtime's SDK has DescribeEndpoint; installing the latest would need npm at deploy time.
      installLatestAwsSdk: false,
    });
    return lookup.getResponseField('endpointAddress');
  }

  /** One role for the custom resources' shared provider function. */
  private createLookupRole(): iam.Role {
    this.lookupLogs = new logs.LogGroup(this, 'LookupLogs', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ec2led: looks up the IoT Core endpoints at deploy time',
      inlinePolicies: {
        DescribeEndpoint: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.lookupLogs.logGroupArn],
            }),
            new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'iot:DescribeEndpoint has no resource type in the IAM service authorization reference, so it ' +
        'can only be granted on "*"; it reads the account endpoint names and nothing else.',
    });
    this.lookupRole = role;
    return role;
  }
}
