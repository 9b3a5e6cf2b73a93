/**
 * Reads a synthesized stack by construct path instead of hashed logical IDs: every Ref and GetAtt is
 * shown as `${Path}` / `${Path.Attribute}` (path without the trailing /Resource), pseudo parameters as
 * `${AWS::Name}`, and Fn::Join flattened to one string. IAM is summarized per role: its trust and every
 * statement of its inline and attached policies.
 */
import { CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export interface StatementView {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export interface RoleView {
  readonly trust: unknown;
  readonly statements: StatementView[];
}

export interface StackView {
  readonly template: Template;
  readonly json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  /** `value` with Ref/GetAtt/Join rendered as readable strings. */
  show(value: unknown): unknown;
  /** Path of each resource of `type`, with its rendered properties. */
  resources(type: string): Record<string, Record<string, unknown>>;
  roles(): Record<string, RoleView>;
}

function shortPath(path: string, stackName: string): string {
  return path
    .replace(new RegExp(`^${stackName}/`), '')
    .replace(/\/Resource(\/Default)?$/, '')
    .replace(/\/Default$/, '');
}

export function viewStack(stack: Stack): StackView {
  const template = Template.fromStack(stack);
  const json = template.toJSON() as StackView['json'];
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (CfnElement.isCfnElement(construct)) {
      paths.set(
        stack.resolve(construct.logicalId) as string,
        shortPath(construct.node.path, stack.stackName),
      );
    }
  }
  const name = (logicalId: string) => paths.get(logicalId) ?? `?${logicalId}`;

  const show = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(show);
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const ref = record.Ref as string;
      return ref.startsWith('AWS::') ? `\${${ref}}` : `\${${name(ref)}}`;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attribute] = record['Fn::GetAtt'] as [string, string];
      return `\${${name(id)}.${attribute}}`;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(show(part))).join(separator);
    }
    return Object.fromEntries(keys.map((key) => [key, show(record[key])]));
  };

  const resources = (type: string) =>
    Object.fromEntries(
      Object.entries(json.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([id, resource]) => [name(id), show(resource.Properties ?? {}) as Record<string, unknown>]),
    );

  const roles = () => {
    const out: Record<string, RoleView> = {};
    const strip = (statement: Record<string, unknown>): StatementView => {
      const { Effect, Action, Resource, Condition, ...rest } = statement;
      if (Effect !== 'Allow' || Object.keys(rest).length > 0) {
        throw new Error(`unexpected statement shape ${JSON.stringify(statement)}`);
      }
      return Condition === undefined
        ? { Action: Action as string, Resource }
        : { Action: Action as string, Resource, Condition };
    };
    for (const [path, role] of Object.entries(resources('AWS::IAM::Role'))) {
      const document = role.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
      const inline = (role.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]) ?? [];
      out[path] = {
        trust: document.Statement,
        statements: inline.flatMap((policy) => policy.PolicyDocument.Statement.map(strip)),
      };
      if (role.ManagedPolicyArns !== undefined) throw new Error(`${path} has managed policies`);
    }
    for (const policy of Object.values(resources('AWS::IAM::Policy'))) {
      const document = policy.PolicyDocument as { Statement: Record<string, unknown>[] };
      for (const role of policy.Roles as string[]) {
        const path = role.slice(2, -1);
        out[path]?.statements.push(...document.Statement.map(strip));
      }
    }
    return out;
  };

  return { template, json, show, resources, roles };
}
