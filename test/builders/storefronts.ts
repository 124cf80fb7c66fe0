/** Storefronts: `POST /v1/storefronts` bodies. */
import { uniqueTag } from './unique.js';

/** A storefront with a name of its own. */
export function aStorefront(overrides: { name?: string } = {}): { name: string } {
  return { name: `Shop ${uniqueTag(6)}`, ...overrides };
}
