import type * as z from 'zod/mini';

/** The primary key of an item of the single table. */
export interface ItemKey {
  PK: string;
  SK: string;
}

/**
 * One kind of item of the single table, defined once: the `entity` attribute it carries, how its key is
 * built, and the zod schema that turns a stored item back into the domain value. Schemas are structural
 * (`z.object`, no input refinements), so what was stored by an older version still parses, and unknown
 * attributes (keys, index attributes, internal markers) are dropped on the way out: no item is ever cast.
 */
export interface Entity<S extends z.ZodMiniType, K extends readonly unknown[]> {
  readonly name: string;
  readonly schema: S;
  readonly key: (...args: K) => ItemKey;
}

/**
 * An entity whose schema is built the first time it is read: a function's bundle holds every entity of the
 * modules it imports, most of which it never reads (order intake reads no storefront nor API key), and
 * building a zod schema is most of what importing one costs at cold start.
 */
export function defineEntity<S extends z.ZodMiniType, K extends readonly unknown[]>(
  definition: Omit<Entity<S, K>, 'schema'> & { schema: () => S },
): Entity<S, K> {
  let schema: S | undefined;
  return {
    name: definition.name,
    key: definition.key,
    get schema() {
      schema ??= definition.schema();
      return schema;
    },
  };
}

/** A stored item that does not parse as the entity it claims to be: a defect to report, never a 4xx. */
export class StoredItemInvalid extends Error {
  constructor(entity: string, key: unknown, issues: string) {
    super(`Stored ${entity} ${JSON.stringify(key)} does not parse: ${issues}`);
    this.name = 'StoredItemInvalid';
  }
}

/** The domain value of a stored item. Throws StoredItemInvalid when the item does not fit the schema. */
export function parseItem<S extends z.ZodMiniType>(
  entity: Pick<Entity<S, readonly unknown[]>, 'name' | 'schema'>,
  item: Record<string, unknown>,
): z.infer<S> {
  const parsed = entity.schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
    .join('; ');
  throw new StoredItemInvalid(entity.name, { PK: item.PK, SK: item.SK }, issues);
}

/** The item to write: key, entity marker, the value, and any index or internal attributes. */
export function itemOf<S extends z.ZodMiniType>(
  entity: Pick<Entity<S, readonly unknown[]>, 'name'>,
  key: ItemKey,
  value: z.infer<S>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...key, ...extra, entity: entity.name, ...(value as Record<string, unknown>) };
}
