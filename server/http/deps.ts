// What routes get from buildApp: the database and the configuration, nothing global.
import type { Config } from '../config.js';
import type { Queryable } from '../db/types.js';

import type { HistoryProgress } from '../services/history.js';

/** `history`: where the background load of the demo's simulated history stands (main.ts), if one runs. */
export type Deps = { db: Queryable; config: Config; history?: HistoryProgress };
