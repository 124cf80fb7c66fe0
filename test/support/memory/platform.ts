import { randomUUID } from 'node:crypto';
import {
  type ApprovedPlatform,
  type FlowAcknowledgement,
  type FlowSubmission,
  PlatformFailure,
  type PlatformFlow,
} from '../../../shared/core/ports/approved-platform.js';

/**
 * What the next deposit meets: deposited with an acknowledgement (read back by getFlow), or a failure
 * thrown before anything was kept, or — `deposit-then-fail` — kept and then answered with a failure (a
 * timeout after the work: the ambiguous case an emulator cannot produce on demand in-process).
 */
export type DepositScript =
  | { kind: 'deposit'; acknowledgement?: FlowAcknowledgement }
  | { kind: 'fail'; failure: PlatformFailure }
  | { kind: 'deposit-then-fail'; failure: PlatformFailure };

/**
 * An approved platform in memory for the use cases' unit tests: it keeps every deposited flow, answers
 * deposits as scripted (default: deposited, accepted), and counts the calls. Only the Flow Service calls
 * the submission step makes are implemented; the others throw.
 */
export class ScriptedPlatform implements ApprovedPlatform {
  readonly flows: (PlatformFlow & { document: Uint8Array })[] = [];
  readonly calls = { submit: 0, findByTrackingId: 0, getFlow: 0 };
  private readonly script: DepositScript[] = [];
  /** Runs during a deposit, before it answers (a test makes something happen meanwhile). */
  duringDeposit?: () => Promise<void>;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The next deposits meet these, in order; then the default. */
  next(...outcomes: DepositScript[]): this {
    this.script.push(...outcomes);
    return this;
  }

  async submit(submission: FlowSubmission): Promise<PlatformFlow> {
    this.calls.submit += 1;
    const outcome = this.script.shift() ?? { kind: 'deposit' };
    if (outcome.kind === 'fail') throw outcome.failure;
    const at = this.now().toISOString();
    const flow = {
      flowId: randomUUID(),
      trackingId: submission.trackingId,
      syntax: submission.syntax,
      direction: 'out' as const,
      submittedAt: at,
      updatedAt: at,
      acknowledgement:
        outcome.kind === 'deposit'
          ? (outcome.acknowledgement ?? { status: 'accepted' })
          : { status: 'accepted' as const },
      document: submission.document,
    };
    this.flows.push(flow);
    await this.duringDeposit?.();
    if (outcome.kind === 'deposit-then-fail') throw outcome.failure;
    // As the AFNOR adapter answers a deposit: registered, its acknowledgement still to come.
    return { ...withoutDocument(flow), acknowledgement: { status: 'pending' } };
  }

  async getFlow(flowId: string): Promise<PlatformFlow | undefined> {
    this.calls.getFlow += 1;
    const flow = this.flows.find((candidate) => candidate.flowId === flowId);
    return flow && withoutDocument(flow);
  }

  async findByTrackingId(trackingId: string): Promise<PlatformFlow[]> {
    this.calls.findByTrackingId += 1;
    return this.flows.filter((flow) => flow.trackingId === trackingId).map(withoutDocument);
  }

  listUpdates(): never {
    throw new PlatformFailure('rejected', 'not scripted');
  }
  sendStatus(): never {
    throw new PlatformFailure('rejected', 'not scripted');
  }
  lookUpRecipient(): never {
    throw new PlatformFailure('rejected', 'not scripted');
  }
  readCallback(): never {
    throw new PlatformFailure('rejected', 'not scripted');
  }
}

function withoutDocument(flow: PlatformFlow & { document: Uint8Array }): PlatformFlow {
  const { document: _document, ...rest } = flow;
  return rest;
}
