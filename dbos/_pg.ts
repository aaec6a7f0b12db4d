/**
 * The little of `pg` (a dependency of DBOS itself) the adapter uses, typed
 * (private to dbos/): probing the database, and the workers table.
 *
 * @module
 */
import pg from "pg";

/** A query result's rows. */
export interface QueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

/** Something that runs queries. */
export interface Queryable {
  query<Row = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
  ): Promise<QueryResult<Row>>;
}

/** One connection checked out of a pool (for a transaction). */
export interface PoolClient extends Queryable {
  release(): void;
}

/** A connection pool. */
export interface Pool extends Queryable {
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): void;
}

const CONNECT_TIMEOUT_MS = 5000;

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Open a small pool and prove the database answers, within 5 s; the error
 * names the URL and the fix.
 */
export async function openPool(databaseUrl: string, what: string): Promise<Pool> {
  if (typeof databaseUrl !== "string" || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new TypeError(
      `Cannot ${what}: 'databaseUrl' must be a postgresql:// URL, got ${
        JSON.stringify(databaseUrl)
      }`,
    );
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  }) as Pool;
  pool.on("error", () => {}); // an idle client's lost connection surfaces on the next query
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(
      `Cannot ${what}: PostgreSQL at "${redactUrl(databaseUrl)}" did not answer (${
        error instanceof Error ? error.message || error.name : String(error)
      }); start PostgreSQL or fix 'databaseUrl'`,
      { cause: error },
    );
  }
  return pool;
}
