export type Route =
  | { name: 'worklist' }
  | { name: 'case'; referralId: string }
  | { name: 'changes' }
  | { name: 'settings' }
  | { name: 'letters'; referralId: string }
  | { name: 'metrics' };

const CASE = /^#\/referrals\/([0-9a-fA-F-]{36})\/?$/;
const LETTERS = /^#\/referrals\/([0-9a-fA-F-]{36})\/letters\/?$/;

/** Routes live in the location hash so a reload (or the desktop app's restart) reopens them. */
export function parseRoute(hash: string): Route {
  const m = CASE.exec(hash);
  if (m) return { name: 'case', referralId: m[1]! };
  const letters = LETTERS.exec(hash);
  if (letters) return { name: 'letters', referralId: letters[1]! };
  if (hash === '#/metrics') return { name: 'metrics' };
  if (hash === '#/changes') return { name: 'changes' };
  if (hash === '#/settings') return { name: 'settings' };
  return { name: 'worklist' };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'case':
      return `#/referrals/${route.referralId}`;
    case 'letters':
      return `#/referrals/${route.referralId}/letters`;
    case 'metrics':
      return '#/metrics';
    case 'changes':
      return '#/changes';
    case 'settings':
      return '#/settings';
    default:
      return '#/';
  }
}
