import { describe, expect, it } from 'vitest';
import { FUNCTION_NAME_METADATA, localFunctionArn, resolveDefinition } from '../../infra/constructs/asl.js';

const fn = (name: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {},
  Metadata: { [FUNCTION_NAME_METADATA]: name },
});

/** A template shaped like CDK's: the definition as an Fn::Join over text, pseudo parameters and ARNs. */
const template = (definitionParts: unknown[], extra: Record<string, unknown> = {}) => ({
  Resources: {
    StartFn1234: fn('billing-start-run'),
    FinishFn5678: fn('billing-finish-run'),
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: { 'Fn::Join': ['', definitionParts] } },
    },
    ...extra,
  },
});

const twoTasks = [
  '{"StartAt":"Start","States":{"Start":{"Type":"Task","Resource":"',
  { 'Fn::GetAtt': ['StartFn1234', 'Arn'] },
  '","Next":"Finish"},"Finish":{"Type":"Task","Resource":"',
  { 'Fn::GetAtt': ['FinishFn5678', 'Arn'] },
  '","Comment":"in ',
  { Ref: 'AWS::Partition' },
  ' ',
  { Ref: 'AWS::Region' },
  ' ',
  { Ref: 'AWS::AccountId' },
  '","End":true}}}',
];

describe('resolveDefinition', () => {
  it('turns the synthesized Fn::Join into ASL with local function ARNs', () => {
    const { asl, functionsByArn } = resolveDefinition(template(twoTasks));
    expect(asl).toEqual({
      StartAt: 'Start',
      States: {
        Start: { Type: 'Task', Resource: localFunctionArn('StartFn1234'), Next: 'Finish' },
        Finish: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:local:000000000000:function:FinishFn5678',
          Comment: 'in aws local 000000000000',
          End: true,
        },
      },
    });
    expect(functionsByArn).toEqual({
      'arn:aws:lambda:local:000000000000:function:StartFn1234': 'billing-start-run',
      'arn:aws:lambda:local:000000000000:function:FinishFn5678': 'billing-finish-run',
    });
  });

  it('accepts a plain DefinitionString and the Logical.Attribute form of Fn::GetAtt', () => {
    const plain = {
      Resources: {
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: '{"StartAt":"A"}' },
        },
      },
    };
    expect(resolveDefinition(plain).asl).toEqual({ StartAt: 'A' });
    const dotted = template(['{"R":"', { 'Fn::GetAtt': 'StartFn1234.Arn' }, '"}']);
    expect(resolveDefinition(dotted).asl).toEqual({ R: localFunctionArn('StartFn1234') });
  });

  it('needs the logical id when the template has several state machines', () => {
    const other = {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: '{"StartAt":"B"}' },
    };
    const several = template(twoTasks, { Other: other });
    expect(() => resolveDefinition(several)).toThrow(/found 2/);
    expect(resolveDefinition(several, 'Other').asl).toEqual({ StartAt: 'B' });
    expect(() => resolveDefinition(several, 'StartFn1234')).toThrow(
      /not an AWS::StepFunctions::StateMachine/,
    );
  });

  it('refuses what it cannot resolve rather than guessing', () => {
    expect(() => resolveDefinition(template(['{"R":"', { Ref: 'SomeBucket' }, '"}']))).toThrow(
      /Ref SomeBucket/,
    );
    expect(() =>
      resolveDefinition(template(['{"R":"', { 'Fn::GetAtt': ['Machine', 'Name'] }, '"}'])),
    ).toThrow(/Fn::GetAtt Machine.Name/);
    expect(() => resolveDefinition(template(['{"R":"', { 'Fn::Sub': 'x' }, '"}']))).toThrow(/unsupported/);
    const anonymous = template(['{"R":"', { 'Fn::GetAtt': ['Anonymous', 'Arn'] }, '"}'], {
      Anonymous: { Type: 'AWS::Lambda::Function', Properties: {} },
    });
    expect(() => resolveDefinition(anonymous)).toThrow(/no DeferredBillingFunction metadata/);
  });
});
