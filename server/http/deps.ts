// What routes get from buildApp: the database and the configuration, nothing global.
import type { Config } from '../config.js';
import type { Queryable } from '../db/types.js';

export type Deps = { db: Queryable; config: Config };
