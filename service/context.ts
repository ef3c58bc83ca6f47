import type { Config } from './config';
import type { SessionService } from './auth/session-service';
import type { ImageStore } from './images/image-store';
import type { PyramidBuilder } from './images/pyramid-pool';
import type { Repository } from './repo/repository';

/** What every route needs; built once in `server.ts`, replaced piecewise in tests. */
export interface ServiceContext {
  config: Config;
  repo: Repository;
  store: ImageStore;
  /** Builds ingest's pyramids off the event loop; closed with the service. */
  pyramids: PyramidBuilder;
  sessions: SessionService;
  version: string;
  now(): Date;
}
