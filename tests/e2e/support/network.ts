/**
 * Network conditions for the offline-first tests: a clinic's link (bandwidth and latency),
 * a request counter, and a flaky link that loses requests on the way to the service and
 * answers on the way back.
 */
import type { BrowserContext, CDPSession, Page, Request, Route } from '@playwright/test';
import { mulberry32 as seeded } from '../../../shared/seeded-random';

export interface LinkConditions {
  /** Bits per second. */
  downloadBps: number;
  /** Bits per second. */
  uploadBps: number;
  /** Added to every request's round trip. */
  latencyMs: number;
}

/** A typical clinic link: 10 Mbit/s each way, 80 ms. */
export const CLINIC_LINK: LinkConditions = { downloadBps: 10_000_000, uploadBps: 10_000_000, latencyMs: 80 };

/**
 * Throttles one page's requests (Chromium's own throttling, on a CDP session of the page).
 * A service worker is a target of its own and is not throttled by this; neither are other
 * pages. `clear()` lifts it.
 */
export async function emulateLink(page: Page, link: LinkConditions): Promise<{ session: CDPSession; clear(): Promise<void> }> {
  const session = await page.context().newCDPSession(page);
  await session.send('Network.enable');
  // CDP takes bytes per second.
  await session.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: link.latencyMs,
    downloadThroughput: link.downloadBps / 8,
    uploadThroughput: link.uploadBps / 8,
  });
  return {
    session,
    clear: async () => {
      await session.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await session.detach();
    },
  };
}

export interface CountedRequest {
  url: string;
  method: string;
  /** Made by a service worker itself (its own fetch), not by a page. */
  byServiceWorker: boolean;
}

export interface RequestCounter {
  count(): number;
  urls(): string[];
  requests(): CountedRequest[];
  reset(): void;
  stop(): void;
}

/**
 * Counts every request Playwright reports for the context: pages' requests, including those
 * a service worker answers (reported as the page's, with `response.fromServiceWorker()`), and,
 * in Chromium, the worker's own fetches (`request.serviceWorker()`). A page request the worker
 * passes on to the network is therefore counted twice: once for the page, once for the worker.
 */
export function countRequests(context: BrowserContext, match: (url: string) => boolean = () => true): RequestCounter {
  let seen: CountedRequest[] = [];
  const onRequest = (r: Request) => {
    if (match(r.url())) seen.push({ url: r.url(), method: r.method(), byServiceWorker: r.serviceWorker() !== null });
  };
  context.on('request', onRequest);
  return {
    count: () => seen.length,
    urls: () => seen.map((r) => r.url),
    requests: () => [...seen],
    reset: () => {
      seen = [];
    },
    stop: () => {
      context.off('request', onRequest);
    },
  };
}

export interface FlakyCounters {
  /** Requests routed. Always failedBefore + failedAfter + delivered. */
  total: number;
  /** Aborted before reaching the service: it never saw them. */
  failedBefore: number;
  /** Sent to the service, which applied them, then aborted: the client never heard. */
  failedAfter: number;
  /** Delayed, then answered with the service's response. */
  delivered: number;
}

export interface FlakyOptions {
  /** Share of requests that fail, half before and half after the service. Default 0.3. */
  failRate?: number;
  /** Delay of a delivered request, drawn uniformly from [min, max] ms. Default [20, 300]. */
  delayMs?: [number, number];
  /** The same seed gives the same sequence of fates, in the order requests are routed. */
  seed?: number;
}


/** Routes the context's `/api/` requests (pages' and service workers') over a flaky link. */
export async function flakyRoutes(context: BrowserContext, opts: FlakyOptions = {}): Promise<{ counters: Readonly<FlakyCounters>; stop(): Promise<void> }> {
  const { failRate = 0.3, delayMs = [20, 300], seed = 1 } = opts;
  const random = seeded(seed);
  const counters: FlakyCounters = { total: 0, failedBefore: 0, failedAfter: 0, delivered: 0 };
  const pattern = '**/api/**';
  const handler = async (route: Route) => {
    // Counted as the fate is drawn, so the counters add up even while requests are in flight.
    counters.total++;
    const fate = random();
    const delay = delayMs[0] + random() * (delayMs[1] - delayMs[0]);
    if (fate < failRate / 2) {
      counters.failedBefore++;
      await route.abort('failed');
    } else if (fate < failRate) {
      counters.failedAfter++;
      try {
        await route.fetch(); // the service receives and applies it…
      } catch {
        // …unless it is unreachable: then it never saw it either
        counters.failedAfter--;
        counters.failedBefore++;
      }
      await route.abort('failed'); // …and the answer is lost
    } else {
      counters.delivered++;
      await new Promise((r) => setTimeout(r, delay));
      await route.continue();
    }
  };
  await context.route(pattern, handler);
  // A handler still sleeping when the route is removed must not fail the test afterwards.
  return { counters, stop: () => context.unrouteAll({ behavior: 'ignoreErrors' }) };
}
