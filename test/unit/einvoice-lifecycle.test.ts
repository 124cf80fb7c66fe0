import { describe, expect, it } from 'vitest';
import {
  currentLifecycleStatus,
  isLifecycleStatusCode,
  LIFECYCLE_STATUSES,
  type LifecycleEvent,
  type LifecycleHistoryEntry,
  lifecycleLabel,
  recordLifecycleEvent,
} from '../../shared/core/domain/einvoice-lifecycle.js';

const event = (eventId: string, status: LifecycleEvent['status'], at: string): LifecycleEvent => ({
  eventId,
  flowId: 'flow-1',
  document: { trackingId: 'inv_1' },
  status,
  at,
  reasons: [],
});

describe('an invoice records its lifecycle statuses as the platform reports them', () => {
  it('names the statuses as the reform does, in French and English', () => {
    expect(lifecycleLabel('200', 'fr')).toBe('Déposée');
    expect(lifecycleLabel('205', 'fr')).toBe('Approuvée');
    expect(lifecycleLabel('207', 'fr')).toBe('En litige');
    expect(lifecycleLabel('210', 'fr')).toBe('Refusée');
    expect(lifecycleLabel('212', 'fr')).toBe('Encaissée');
    expect(lifecycleLabel('212', 'en')).toBe('Payment received');
    expect(lifecycleLabel('213', 'fr')).toBe('Rejetée');
  });

  it('knows the four statuses forwarded to the administration and that the seller sends "Encaissée"', () => {
    const mandatory = Object.entries(LIFECYCLE_STATUSES)
      .filter(([, definition]) => definition.mandatory)
      .map(([code]) => code);
    expect(mandatory).toEqual(['200', '210', '212', '213']);
    expect(LIFECYCLE_STATUSES['212'].issuedBy).toBe('seller');
    expect(LIFECYCLE_STATUSES['210'].needsReason).toBe(true);
  });

  it('accepts only the official codes', () => {
    expect(isLifecycleStatusCode('212')).toBe(true);
    expect(isLifecycleStatusCode('299')).toBe(false);
    expect(isLifecycleStatusCode('toString')).toBe(false);
  });

  it('records a status redelivered (webhook then poll) once', () => {
    const once = recordLifecycleEvent([], event('f1:200', '200', '2026-12-01T10:00:00Z'));
    const twice = recordLifecycleEvent(once, event('f1:200', '200', '2026-12-01T10:00:00Z'));
    expect(twice).toBe(once);
    expect(twice).toHaveLength(1);
  });

  it('keeps the history in date order when statuses arrive out of order; the latest is the current one', () => {
    let history: readonly LifecycleHistoryEntry[] = [];
    history = recordLifecycleEvent(history, event('f2:0', '205', '2026-12-03T09:00:00Z'));
    history = recordLifecycleEvent(history, event('f1:200', '200', '2026-12-01T10:00:00Z'));
    history = recordLifecycleEvent(history, event('f3:0', '203', '2026-12-01T10:05:00Z'));
    expect(history.map((entry) => entry.status)).toEqual(['200', '203', '205']);
    expect(currentLifecycleStatus(history)).toBe('205');
    expect(currentLifecycleStatus([])).toBeUndefined();
  });
});
