// Each tile set's committed generation (migrations/0028) for the tile cache, known without a database round trip
// while this process hears the bumps (migrations/0040: NOTIFY '<set>:<gen>', sent since 0048/0060 by each writing
// transaction at its end, db/tile-bumps.ts, with the set's last generation; delivered at commit
// in commit order; PostgreSQL: a dedicated LISTEN connection, PGlite: its in-process listen). A cache hit then costs
// no query, and the guarantee of services/tile-cache.ts stays: no tile drawn before a change is served once the
// change's commit has been announced, whichever process made it. What is known is trusted only while all of these
// hold, else the counters are read from the database on the request (one read of four rows, as before 0040):
//  - the listener is up, and has been since a read of the counters that started after it began to listen (a
//    notice sent while it was down is lost, so each (re)connection reads them again before trusting itself);
//  - no write answered by this process since that read (noteWrite, app.ts's onSend hook on every request but
//    GET/HEAD/OPTIONS, before the answer leaves): a client that changed something and asks for the tile next
//    needs no notice in flight to see its change; the first tile request after a write reads the counters.
// A database without listen (the tests' rolled-back transactions) is read on every request.
import type { Db, Queryable } from '../db/types.js';
import * as tilesDb from '../db/tiles.js';
import type { TileSet } from '../db/tiles.js';

export type TileGenerationStats = { listening: boolean; trusted: boolean; reads: number; notices: number };

export class TileGenerations {
  private readonly known = new Map<TileSet, number>();
  private listening = false;
  /** Moves each time the listener goes up or down: a read started in another epoch proves nothing about this one. */
  private epoch = 0;
  private syncedEpoch = -1;
  private writes = 0;
  private syncedWrites = -1;
  private reads = 0;
  private notices = 0;
  private stopListening: (() => Promise<void>) | null = null;

  constructor(private readonly db: Queryable & Partial<Pick<Db, 'listen'>>) {}

  /** Starts listening, when the database can (a failure to connect leaves it reading; the listener keeps retrying). */
  async start(): Promise<void> {
    if (!this.db.listen || this.stopListening) return;
    this.stopListening = await this.db.listen(tilesDb.TILE_GENERATIONS_CHANNEL, (p) => this.heard(p), { onState: (up) => this.state(up) });
  }

  async stop(): Promise<void> {
    const stop = this.stopListening;
    this.stopListening = null;
    this.state(false);
    await stop?.();
  }

  /** A write was made through this process and is committed: the next request reads the counters. */
  noteWrite(): void {
    this.writes++;
  }

  /** Whether a generation is answered now without reading the database. */
  trusted(): boolean {
    return this.listening && this.syncedEpoch === this.epoch && this.syncedWrites === this.writes;
  }

  /**
   * The generation of `set` when it is answered without reading the database (see trusted()), else undefined: the
   * caller then reads it with generation(). Synchronous, for a cache hit that does no I/O at all.
   */
  current(set: TileSet): string | undefined {
    if (!this.trusted()) return undefined;
    const g = this.known.get(set);
    return g === undefined ? undefined : String(g);
  }

  /** The committed generation of `set` as far as any change announced (or written here) so far goes. */
  async generation(set: TileSet): Promise<string> {
    if (this.trusted()) {
      const g = this.known.get(set);
      if (g !== undefined) return String(g);
    }
    const epoch = this.epoch;
    const writes = this.writes;
    const listening = this.listening;
    const gens = await tilesDb.tileGenerations(this.db);
    this.reads++;
    const read = gens.get(set) ?? '0';
    if (!listening || epoch !== this.epoch) return read; // the listener changed state meanwhile: trust nothing
    for (const [s, g] of gens) this.raise(s, Number(g));
    this.syncedEpoch = epoch;
    this.syncedWrites = Math.max(this.syncedWrites, writes);
    return String(this.known.get(set) ?? read);
  }

  /** A known generation of `set` (undefined: none), for tests waiting for a notice to arrive. */
  knownGeneration(set: TileSet): string | undefined {
    const g = this.known.get(set);
    return g === undefined ? undefined : String(g);
  }

  stats(): TileGenerationStats {
    return { listening: this.listening, trusted: this.trusted(), reads: this.reads, notices: this.notices };
  }

  private heard(payload: string): void {
    const n = tilesDb.parseGenerationNotice(payload);
    if (!n) return;
    this.notices++;
    this.raise(n.set, Number(n.gen)); // a committed generation: never wrong to know, whatever the state
  }

  private raise(set: TileSet, gen: number): void {
    if (gen > (this.known.get(set) ?? -1)) this.known.set(set, gen);
  }

  private state(up: boolean): void {
    this.epoch++;
    this.listening = up;
    if (!up) this.known.clear(); // a restored database may go back: only what is heard or read from now on counts
  }
}
