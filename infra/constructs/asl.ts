/**
 * Turns a synthesized state machine back into plain Amazon States Language, so the local runner executes
 * the very definition CloudFormation would deploy. No CDK import: it reads a template as JSON
 * (`Template.fromStack(stack).toJSON()` or `cdk.out/<stack>.template.json`).
 *
 * CDK writes `DefinitionString` as an `Fn::Join` over literal text, `Ref AWS::Partition` (and friends) and
 * `Fn::GetAtt <function>.Arn`. Pseudo parameters resolve to a fixed local account and region; a function
 * ARN resolves to `arn:aws:lambda:local:000000000000:function:<logicalId>`, and `functionsByArn` maps it to
 * the function's name (its `DeferredBillingFunction` metadata, the folder under `functions/`).
 */

/**
 * CloudFormation metadata key on every function resource (set by `ProjectFunction`), holding its name under
 * `functions/`: how a task's `Fn::GetAtt <logicalId>.Arn` maps back to its handler.
 */
export const FUNCTION_NAME_METADATA = 'DeferredBillingFunction';

export const LOCAL_PARTITION = 'aws';
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

/** The ARN a function's `Fn::GetAtt <logicalId>.Arn` resolves to. */
export const localFunctionArn = (logicalId: string): string =>
  `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

interface TemplateResource {
  Type?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface ResolvedDefinition {
  /** The state machine's ASL, every intrinsic resolved. */
  asl: object;
  /** Function name (`functions/<name>`) of each Lambda ARN the definition refers to. */
  functionsByArn: Record<string, string>;
}

/**
 * Resolves the `DefinitionString` of a state machine in `template` into ASL. `stateMachineLogicalId` is
 * needed only when the template holds more than one state machine. Throws on an intrinsic it cannot resolve
 * (say a `Ref` to a resource) rather than guessing.
 */
export function resolveDefinition(
  template: Record<string, unknown>,
  stateMachineLogicalId?: string,
): ResolvedDefinition {
  const resources = (template.Resources ?? {}) as Record<string, TemplateResource>;
  const logicalId = stateMachineLogicalId ?? onlyStateMachine(resources);
  const stateMachine = resources[logicalId];
  if (stateMachine?.Type !== 'AWS::StepFunctions::StateMachine') {
    throw new Error(`resolveDefinition: ${logicalId} is not an AWS::StepFunctions::StateMachine`);
  }
  const definition = stateMachine.Properties?.DefinitionString;
  if (definition === undefined) {
    throw new Error(`resolveDefinition: ${logicalId} has no DefinitionString (DefinitionS3Location?)`);
  }

  const functionsByArn: Record<string, string> = {};
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value !== null && typeof value === 'object') {
      const intrinsic = value as Record<string, unknown>;
      if (typeof intrinsic.Ref === 'string') {
        const pseudo = PSEUDO_PARAMETERS[intrinsic.Ref];
        if (pseudo !== undefined) return pseudo;
        throw new Error(`resolveDefinition: cannot resolve Ref ${intrinsic.Ref}`);
      }
      if ('Fn::GetAtt' in intrinsic) {
        const [resourceId, attribute] = getAttParts(intrinsic['Fn::GetAtt']);
        const resource = resources[resourceId];
        if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
          const arn = localFunctionArn(resourceId);
          const name = resource.Metadata?.[FUNCTION_NAME_METADATA];
          if (typeof name !== 'string') {
            throw new Error(
              `resolveDefinition: function ${resourceId} has no ${FUNCTION_NAME_METADATA} metadata`,
            );
          }
          functionsByArn[arn] = name;
          return arn;
        }
        throw new Error(`resolveDefinition: cannot resolve Fn::GetAtt ${resourceId}.${attribute}`);
      }
      if ('Fn::Join' in intrinsic) {
        const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
        return parts.map(resolve).join(separator);
      }
    }
    throw new Error(`resolveDefinition: unsupported value in DefinitionString: ${JSON.stringify(value)}`);
  };

  const asl = JSON.parse(resolve(definition)) as object;
  return { asl, functionsByArn };
}

function onlyStateMachine(resources: Record<string, TemplateResource>): string {
  const ids = Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id]) => id);
  if (ids.length !== 1) {
    throw new Error(
      `resolveDefinition: expected one state machine, found ${ids.length}; pass its logical id`,
    );
  }
  return ids[0] as string;
}

function getAttParts(value: unknown): [string, string] {
  if (Array.isArray(value) && value.length === 2) return [String(value[0]), String(value[1])];
  if (typeof value === 'string' && value.includes('.')) {
    const dot = value.indexOf('.');
    return [value.slice(0, dot), value.slice(dot + 1)];
  }
  throw new Error(`resolveDefinition: malformed Fn::GetAtt ${JSON.stringify(value)}`);
}
