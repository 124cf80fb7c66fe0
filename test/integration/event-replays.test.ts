import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type EventsEndpoint,
  type LoggedEvent,
  startEventsEndpoint,
} from '../../infra/local/events-endpoint.js';
import { type LedgerStreamPoller, startLedgerStreamPoller } from '../../infra/local/ledger-stream.js';
import { LedgerRepository } from '../../shared/adapters/dynamo/ledger-repository.js';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher.js';
import { baseFor, eventReplayDeps, paymentDeps } from '../../shared/composition/root.js';
import { accountingEventOf } from '../../shared/contracts/events/accounting.js';
import {
  type EventReplay,
  type EventReplayAnswer,
  eventReplayAnswerSchema,
  eventReplaySchema,
} from '../../shared/contracts/schemas/event-replay.js';
import { pageSchema } from '../../shared/contracts/schemas/paging.js';
import { addLocalDays } from '../../shared/core/domain/calendar.js';
import { replayEvents } from '../../shared/core/usecases/event-replays.js';
import { placeOrder } from '../../shared/core/usecases/orders.js';
import { recordPayment } from '../../shared/core/usecases/payments.js';
import { aLine, anOrder } from '../builders/orders.js';
import { aPayment } from '../builders/payments.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { givenBillingDeps, runBillingSteps } from '../support/billing-steps.js';
import { givenEnrolledAccount, givenServices, TestClock } from '../support/given.js';
import { expectBody, expectProblem, HttpClient } from '../support/http.js';
import { issueOperatorKey } from '../support/keys.js';

/*
 * Event replays from the ledger, over HTTP through the local API adapter, onto the local bus's log. The
 * stream poller that published the originals only runs when a test drains it (`originalsOf`), so what
 * reaches the bus during a replay call is the replay's own output. The scenarios live in months no other
 * test file writes (2026-03 to 2026-08), so a date range holds only this file's movements.
 */
let bus: EventsEndpoint;
let stream: LedgerStreamPoller;
let api: TestApi;
let operator: HttpClient;

beforeAll(async () => {
  const stack = inject('localStack');
  if (!stack) throw new Error('the integration project provides the local stack');
  bus = await startEventsEndpoint({ port: 0 });
  // Before any EventBridge client is made (one per process): the replays and the originals go to this bus.
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  const { handler } = await import('../../functions/accounting-events/handler.js');
  stream = await startLedgerStreamPoller({
    dynamodbEndpoint: stack.endpoints.dynamodb,
    tableName: stack.tableName,
    handler: (event) => handler(event),
    // Drained by hand only.
    intervalMs: 3_600_000,
  });
  api = await startTestApi();
  operator = new HttpClient(api.baseUrl, await issueOperatorKey());
});

afterAll(async () => {
  await stream?.stop();
  await api?.close();
  await bus?.stop();
});

/**
 * An account billed weekly from `monday`: one invoice (1,200.00 EUR) issued at the cut-off, then `payments`
 * payments of 10.00 EUR a minute apart (`offsetSeconds` later in the minute), each one ledger entry.
 */
async function givenAccountWithMovements(monday: string, payments: number, offsetSeconds = 0) {
  const clock = new TestClock(new Date(`${monday}T09:00:00Z`));
  const services = givenServices(clock);
  const { accountId, storefrontId } = await givenEnrolledAccount(services, { billingCycle: 'weekly' });
  await placeOrder(services, {
    storefrontId,
    idempotencyKey: randomUUID(),
    input: anOrder(accountId, { lines: [aLine({ quantity: 1, unitPriceMinor: 100_000 })] }),
  });
  const cutOff = addLocalDays(monday, 7);
  clock.set(`${cutOff}T06:00:00Z`);
  await runBillingSteps(givenBillingDeps(services), { cutOff, accountIds: [accountId], stopAfter: 'number' });
  for (let index = 0; index < payments; index += 1) {
    clock.set(new Date(Date.parse(`${cutOff}T10:00:00Z`) + index * 60_000 + offsetSeconds * 1000));
    await recordPayment(paymentDeps(services.base), {
      idempotencyKey: randomUUID(),
      input: aPayment(accountId, { amountMinor: 1_000, receivedOn: cutOff }),
    });
  }
  return accountId;
}

/** Every ledger entry of these accounts, in ledger order, as the accounting events they make. */
async function ledgerEventsOf(accountIds: string[]) {
  const ledger = new LedgerRepository(baseFor().table);
  const events = [];
  for (const accountId of accountIds) {
    for await (const entry of ledger.entriesBetween({
      accountId,
      from: '2000-01-01T00:00:00.000Z',
      to: new Date().toISOString(),
    })) {
      events.push({
        position: `${entry.at}#${entry.accountId}#${entry.entryId}`,
        event: accountingEventOf(entry),
      });
    }
  }
  return events.sort((a, b) => (a.position < b.position ? -1 : 1)).map(({ event }) => event);
}

const accountOf = (event: LoggedEvent) => (event.detail as { accountId?: string }).accountId;
const eventIdOf = (event: LoggedEvent) => (event.detail as { eventId: string }).eventId;
/** What a consumer sees of an event (the local bus adds its own id and arrival time). */
const seen = (event: LoggedEvent) => ({
  source: event.source,
  detailType: event.detailType,
  time: event.time,
  detail: event.detail,
});

/** The events the stream published for an account once `count` arrived (draining the stream by hand). */
async function originalsOf(accountId: string, count: number): Promise<LoggedEvent[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await stream.poll();
    const mine = bus.events().filter((event) => accountOf(event) === accountId);
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One replay call over HTTP, and every event that reached the bus while it ran. */
async function replay(body: unknown) {
  const before = bus.events().length;
  const response = await operator.post('/v1/event-replays', body);
  return { response, arrived: bus.events().slice(before) };
}

/** Every call of every replay in the audit, newest first, page after page. */
async function auditOf(): Promise<EventReplay[]> {
  const items: EventReplay[] = [];
  let cursor: string | undefined;
  do {
    const page = expectBody(
      await operator.get('/v1/event-replays', { limit: 100, cursor }),
      200,
      pageSchema(eventReplaySchema),
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe('event replays from the ledger', () => {
  it("replays an account's events as the originals were (detail-type, detail, eventId), in time order, and records the call", async () => {
    const accountId = await givenAccountWithMovements('2026-03-02', 4);
    const originals = await originalsOf(accountId, 5);
    expect(originals).toHaveLength(5);

    const { response, arrived } = await replay({ accountId });

    const answer = expectBody(response, 200, eventReplayAnswerSchema);
    expect(answer).toMatchObject({ accountId, published: 5, complete: true, call: 1 });
    expect(answer.nextCursor).toBeUndefined();
    expect(arrived.map(seen)).toEqual(originals.map(seen));
    expect(arrived.map((event) => event.time)).toEqual(arrived.map((event) => event.time).sort());
    expect(answer.lastEventId).toBe(eventIdOf(arrived[4] as LoggedEvent));

    expect((await auditOf()).find((item) => item.replayId === answer.replayId)).toMatchObject({
      accountId,
      published: 5,
      complete: true,
      requestedBy: expect.stringMatching(/^key_/),
    });
  });

  it('replays a date range across accounts in ledger order, and nothing outside it', async () => {
    // Two accounts whose movements interleave in April, and one whose movements are all in May.
    const first = await givenAccountWithMovements('2026-04-06', 3);
    const second = await givenAccountWithMovements('2026-04-06', 3, 30);
    const outside = await givenAccountWithMovements('2026-05-04', 2);
    const expected = await ledgerEventsOf([first, second]);
    expect(expected).toHaveLength(8);

    const { response, arrived } = await replay({ from: '2026-04-01', to: '2026-04-30' });

    const answer = expectBody(response, 200, eventReplayAnswerSchema);
    expect(answer).toMatchObject({
      published: arrived.length,
      complete: true,
      from: '2026-03-31T22:00:00.000Z',
      to: '2026-04-30T22:00:00.000Z',
    });
    expect(arrived.filter((event) => [first, second].includes(accountOf(event) ?? '')).map(seen)).toEqual(
      expected.map((event) => ({
        source: event.source,
        detailType: event.detailType,
        time: event.time.toISOString(),
        detail: event.detail,
      })),
    );
    expect(arrived.some((event) => accountOf(event) === outside)).toBe(false);
    expect(arrived.map((event) => event.time)).toEqual(arrived.map((event) => event.time).sort());
  });

  it('pages with the cursor: every event exactly once across calls, one replay in the audit', async () => {
    const accountId = await givenAccountWithMovements('2026-06-01', 24);
    const expected = (await ledgerEventsOf([accountId])).map((event) => event.detail.eventId);
    expect(expected).toHaveLength(25);

    const answers: EventReplayAnswer[] = [];
    const published: string[] = [];
    let body: Record<string, unknown> = { accountId, limit: 10 };
    for (;;) {
      const { response, arrived } = await replay(body);
      const answer = expectBody(response, 200, eventReplayAnswerSchema);
      answers.push(answer);
      published.push(...arrived.map(eventIdOf));
      expect(answer.published).toBe(arrived.length);
      if (!answer.nextCursor) break;
      // With the same account, or the cursor alone (then with the default limit: the rest): both go on.
      body =
        answers.length === 1
          ? { accountId, cursor: answer.nextCursor, limit: 10 }
          : { cursor: answer.nextCursor };
    }
    expect(published).toEqual(expected);
    expect(answers.map((answer) => [answer.call, answer.published, answer.complete])).toEqual([
      [1, 10, false],
      [2, 10, false],
      [3, 5, true],
    ]);
    expect(new Set(answers.map((answer) => answer.replayId)).size).toBe(1);
    const audit = (await auditOf()).filter((item) => item.replayId === answers[0]?.replayId);
    expect(audit.map((item) => [item.call, item.published])).toEqual([
      [3, 5],
      [2, 10],
      [1, 10],
    ]);

    // Across accounts too (LedgerByMonth), a few at a time.
    const ranged: string[] = [];
    let cursor: string | undefined;
    do {
      const { response, arrived } = await replay({
        from: '2026-06-01',
        to: '2026-06-30',
        limit: 7,
        ...(cursor ? { cursor } : {}),
      });
      const answer = expectBody(response, 200, eventReplayAnswerSchema);
      expect(answer.published).toBeLessThanOrEqual(7);
      ranged.push(...arrived.filter((event) => accountOf(event) === accountId).map(eventIdOf));
      cursor = answer.nextCursor;
    } while (cursor);
    expect(ranged).toEqual(expected);
  });

  it('refuses bad input with a 4xx naming the field, and publishes nothing', async () => {
    const accountId = await givenAccountWithMovements('2026-08-03', 1);
    const tomorrow = addLocalDays(new Date().toISOString().slice(0, 10), 2);
    const { response: started } = await replay({ accountId, limit: 1 });
    const cursor = expectBody(started, 200, eventReplayAnswerSchema).nextCursor as string;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const tampered = Buffer.from(
      JSON.stringify({ ...decoded, after: '2031-01-01T00:00:00.000Z#acc_x#inv_x' }),
      'utf8',
    ).toString('base64url');
    const otherAccount = await givenAccountWithMovements('2026-08-03', 0);

    const cases: Array<[unknown, number, string, string[] | undefined]> = [
      [{}, 400, 'validation_failed', ['accountId', 'from']],
      [undefined, 400, 'validation_failed', undefined],
      [{ to: '2026-08-31' }, 400, 'validation_failed', ['from']],
      [{ from: tomorrow }, 400, 'validation_failed', ['from']],
      [{ from: '2026-08-01', to: tomorrow }, 400, 'validation_failed', ['to']],
      [{ accountId, to: `${tomorrow}T00:00:00Z` }, 400, 'validation_failed', ['to']],
      [{ from: '2026-08-31', to: '2026-08-01' }, 400, 'validation_failed', ['from']],
      [{ from: '2026-02-30' }, 400, 'validation_failed', ['from']],
      [{ accountId, from: '2026-02-30T10:00:00Z' }, 400, 'validation_failed', ['from']],
      [{ accountId, from: 'yesterday' }, 400, 'validation_failed', ['from']],
      [{ accountId: 'acc_nope' }, 400, 'validation_failed', ['accountId']],
      [{ accountId, limit: 1001 }, 400, 'validation_failed', ['limit']],
      [{ accountId: `acc_${ulid()}` }, 404, 'account_not_found', undefined],
      [{ cursor: 'not-a-cursor' }, 400, 'validation_failed', ['cursor']],
      [{ cursor: tampered }, 400, 'validation_failed', ['cursor']],
      [{ accountId: otherAccount, cursor }, 400, 'validation_failed', ['cursor']],
    ];
    const before = bus.events().length;
    const recorded = (await auditOf()).length;
    for (const [body, status, code, fields] of cases) {
      const response =
        body === undefined
          ? await operator.request('POST', '/v1/event-replays', {
              headers: { 'content-type': 'application/json' },
            })
          : await operator.post('/v1/event-replays', body);
      expectProblem(response, status, code, fields);
    }
    expect(bus.events().length).toBe(before);
    expect((await auditOf()).length).toBe(recorded);
  });

  it('says what went out when PutEvents fails part-way, and a retry from the cursor completes with no gap', async () => {
    const accountId = await givenAccountWithMovements('2026-07-06', 20);
    const expected = (await ledgerEventsOf([accountId])).map((event) => event.detail.eventId);
    expect(expected).toHaveLength(21);
    // Fault injection: the local bus takes every well-formed entry, so it cannot answer a partial failure.
    // This client forwards the second PutEvents' first 3 entries to the real local bus and answers the other
    // 7 refused (ThrottlingException), as EventBridge does with FailedEntryCount > 0.
    const real = new EventBridgeClient({});
    let calls = 0;
    const flaky = {
      async send(command: PutEventsCommand) {
        calls += 1;
        const entries = command.input.Entries ?? [];
        if (calls !== 2) return real.send(command);
        const taken = await real.send(new PutEventsCommand({ Entries: entries.slice(0, 3) }));
        const refused: PutEventsResultEntry[] = entries
          .slice(3)
          .map(() => ({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }));
        return { FailedEntryCount: refused.length, Entries: [...(taken.Entries ?? []), ...refused] };
      },
    } as unknown as EventBridgeClient;
    const base = baseFor();
    const deps = {
      ...eventReplayDeps(base),
      publisher: new EventBridgePublisher(flaky, String(process.env.EVENT_BUS_NAME)),
    };

    const before = bus.events().length;
    const partial = await replayEvents(deps, { input: { accountId }, requestedBy: 'key_test' });
    const firstArrived = bus.events().slice(before).map(eventIdOf);

    expect(partial).toMatchObject({
      published: 13,
      complete: false,
      lastEventId: expected[12],
      failure: { eventId: expected[13], reason: 'the bus refused the event' },
    });
    expect(firstArrived).toEqual(expected.slice(0, 13));
    expect(partial.nextCursor).toBeDefined();

    const { response, arrived } = await replay({ cursor: partial.nextCursor });
    const resumed = expectBody(response, 200, eventReplayAnswerSchema);
    expect(resumed).toMatchObject({ replayId: partial.replayId, call: 2, published: 8, complete: true });
    expect([...firstArrived, ...arrived.map(eventIdOf)]).toEqual(expected);

    // A call to the bus that fails outright counts nothing of its batch, and says so.
    const down = {
      ...deps,
      publisher: {
        publish: () =>
          Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' })),
      },
    };
    const failed = await replayEvents(down, { input: { accountId }, requestedBy: 'key_test' });
    expect(failed).toMatchObject({
      published: 0,
      complete: false,
      failure: { eventId: expected[0], reason: 'the call to the bus failed (TimeoutError)' },
    });
    expect(failed.nextCursor).toBeDefined();
  });
});
