export type Route =
  | { name: 'worklist' }
  | { name: 'case'; referralId: string }
  | { name: 'changes' }
  | { name: 'settings' };

const CASE = /^#\/referrals\/([0-9a-fA-F-]{36})\/?$/;

/** Routes live in the location hash so a reload (or the desktop app's restart) reopens them. */
export function parseRoute(hash: string): Route {
  const m = CASE.exec(hash);
  if (m) return { name: 'case', referralId: m[1]! };
  if (hash === '#/changes') return { name: 'changes' };
  if (hash === '#/settings') return { name: 'settings' };
  return { name: 'worklist' };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'case':
      return `#/referrals/${route.referralId}`;
    case 'changes':
      return '#/changes';
    case 'settings':
      return '#/settings';
    default:
      return '#/';
  }
}
