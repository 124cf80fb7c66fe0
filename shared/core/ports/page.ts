/** One page of a listing, with the opaque cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** What a caller asks of a listing: how many, and where the previous page stopped. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}
