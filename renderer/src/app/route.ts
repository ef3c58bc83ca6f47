export type Route = { name: 'worklist' } | { name: 'case'; referralId: string };

const CASE = /^#\/referrals\/([0-9a-fA-F-]{36})\/?$/;

/** Routes live in the location hash so a reload (or the desktop app's restart) reopens them. */
export function parseRoute(hash: string): Route {
  const m = CASE.exec(hash);
  return m ? { name: 'case', referralId: m[1]! } : { name: 'worklist' };
}

export function routeHref(route: Route): string {
  return route.name === 'case' ? `#/referrals/${route.referralId}` : '#/';
}
