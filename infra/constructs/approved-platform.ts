import { Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env.js';
import type { ProjectFunction } from './project-function.js';

export interface ApprovedPlatformConnectionProps {
  /** Base URL of the platform's Flow Service (AFNOR XP Z12-013), e.g. `https://pa.example/flow`. */
  readonly flowServiceUrl: string;
  /** Its OAuth2 token endpoint (client credentials grant). */
  readonly tokenUrl: string;
  /** Our OAuth2 client id at the platform. */
  readonly clientId: string;
  /**
   * Base URL of its Directory Service.
   * @default the Flow Service URL
   */
  readonly directoryServiceUrl?: string;
  /**
   * ARN of an existing secret holding `{"clientSecret":"…","webhookSecret":"…"}`.
   * @default - the construct creates the secret with placeholder values; ops put the platform's ones in it
   */
  readonly credentialsSecretArn?: string;
  /**
   * Milliseconds an HTTP call to the platform may take.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/**
 * The connection to the approved platform ("plateforme agréée") the product sends e-invoices through: where
 * it is, who we are to it, and the secret holding our client secret and the webhook signing key. Functions
 * that talk to the platform get its variables and read access to that one secret with `grantTo`.
 */
export class ApprovedPlatformConnection extends Construct {
  /** The secret `{clientSecret, webhookSecret}`. */
  public readonly secret: ISecret;
  /** The PLATFORM_* variables a function needs (the secret by ARN, never its value). */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ApprovedPlatformConnectionProps) {
    super(scope, id);
    if (props.credentialsSecretArn) {
      this.secret = Secret.fromSecretCompleteArn(this, 'Credentials', props.credentialsSecretArn);
    } else {
      const secret = new Secret(this, 'Credentials', {
        description:
          'Approved platform credentials, JSON {"clientSecret","webhookSecret"}: replace the generated ' +
          'values with those the platform issued.',
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ clientSecret: 'set-me' }),
          generateStringKey: 'webhookSecret',
          excludePunctuation: true,
          passwordLength: 48,
        },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The client secret is issued and rotated by the approved platform, not by us: a Lambda rotation ' +
          'could not change it there. Ops put each new value in this secret (docs in README, Deploying).',
      });
      this.secret = secret;
    }
    this.environment = {
      [ENV.platformFlowUrl]: props.flowServiceUrl,
      [ENV.platformTokenUrl]: props.tokenUrl,
      [ENV.platformClientId]: props.clientId,
      [ENV.platformCredentialsSecretArn]: this.secret.secretArn,
      ...(props.directoryServiceUrl ? { [ENV.platformDirectoryUrl]: props.directoryServiceUrl } : {}),
      ...(props.timeoutMs ? { [ENV.platformTimeoutMs]: String(props.timeoutMs) } : {}),
    };
  }

  /** Gives `fn` the platform's variables and read access to the credentials secret (nothing else). */
  grantTo(fn: ProjectFunction): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
    this.secret.grantRead(fn);
  }
}
