import { bodyMapPositions, type BodySiteSummary, type MapPoint, type MapView } from '../../../shared/body-sites';
import './body-map.css';

/** One site on the map: `summariseBodySites` (shared/body-sites) builds these from images' free text. */
export type BodyMapSite = BodySiteSummary;

interface Props {
  sites: readonly BodyMapSite[];
  selectedKey: string | null;
  onSelect(key: string | null): void;
}

/**
 * The referral's body sites on a small front and back figure, to filter the images by site. Each
 * placed site is a toggle button over the figure (pressing the selected one again clears the
 * filter); sites that cannot be placed (text that matched no term, or a paired site with no side)
 * are listed underneath.
 * The same site can show more than once (both views, or both sides): only its first marker is
 * in the tab order and the accessibility tree.
 */
export function BodyMap({ sites, selectedKey, onSelect }: Props) {
  const markers = (view: MapView) =>
    sites
      .flatMap((site) => (site.resolved ? bodyMapPositions(site.resolved, view).map((at) => ({ site, at })) : []))
      .sort((a, b) => a.at.y - b.at.y || a.at.x - b.at.x);
  const front = markers('front');
  const back = markers('back');
  const placed = new Set([...front, ...back].map((m) => m.site.key));
  const unplaced = sites.filter((s) => !placed.has(s.key));
  const announced = new Set<string>();
  const toggle = (key: string) => onSelect(key === selectedKey ? null : key);

  const figure = (view: MapView, caption: string, list: readonly { site: BodyMapSite; at: MapPoint }[]) => (
    <figure className="body-map-figure">
      <div className="body-map-canvas">
        <svg className="body-map-svg" viewBox="0 0 100 200" aria-hidden="true" focusable="false">
          <path className="body-map-body" d={BODY_PATH} />
          <ellipse className="body-map-body" cx="50" cy="12.5" rx="8" ry="10" />
          {view === 'back' ? (
            <path className="body-map-spine" d="M50 36 V90" />
          ) : (
            <circle className="body-map-navel" cx="50" cy="70" r="0.9" />
          )}
        </svg>
        {list.map(({ site, at }) => {
          const first = !announced.has(site.key);
          announced.add(site.key);
          const name = describe(site);
          return (
            <button
              key={`${site.key}@${at.x},${at.y}`}
              type="button"
              className="body-map-marker"
              style={{ left: `${at.x}%`, top: `${at.y / 2}%` }}
              aria-label={first ? name : undefined}
              aria-hidden={first ? undefined : true}
              tabIndex={first ? undefined : -1}
              aria-pressed={site.key === selectedKey}
              title={name}
              onClick={() => toggle(site.key)}
            >
              {site.imageCount > 1 && (
                <span className="body-map-count" aria-hidden="true">
                  {site.imageCount}
                </span>
              )}
            </button>
          );
        })}
      </div>
      <figcaption className="body-map-caption">{caption}</figcaption>
    </figure>
  );

  return (
    <section className="body-map" aria-label="Body map">
      <div className="body-map-figures">
        {figure('front', 'Front', front)}
        {figure('back', 'Back', back)}
      </div>
      {unplaced.length > 0 && (
        <ul className="body-map-unplaced">
          {unplaced.map((site) => (
            <li key={site.key}>
              <button
                type="button"
                className="body-map-unplaced-site"
                aria-pressed={site.key === selectedKey}
                aria-label={`Unplaced site: ${site.label}${site.resolved ? ' (side not given)' : ''}, ${count(site)}`}
                onClick={() => toggle(site.key)}
              >
                Unplaced site: {site.label}
                {site.resolved && <span className="body-map-why"> (side not given)</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {selectedKey !== null && (
        <button type="button" className="button body-map-all" onClick={() => onSelect(null)}>
          Show all sites
        </button>
      )}
    </section>
  );
}

const count = (site: BodyMapSite): string => `${site.imageCount} ${site.imageCount === 1 ? 'image' : 'images'}`;
const describe = (site: BodyMapSite): string => `${site.label}, ${count(site)}`;

// ---------------------------------------------------------------------------------------------
// The figure: one schematic outline (neck, arms, trunk, legs) in the 100 × 200 box the term
// list's positions use, symmetric about x = 50, standing in the anatomical position (palms
// forward). The head is a separate ellipse drawn over the neck.

/** The viewer's left half, from under the jaw round the arm and leg to the crotch. */
const HALF: readonly (readonly [number, number])[] = [
  [46.5, 21.5],
  [46, 29],
  [40, 32.5],
  [31, 35],
  [26.5, 39], // shoulder
  [24.5, 50],
  [22.5, 66], // elbow
  [19.5, 82],
  [17, 95], // wrist
  [14.5, 103],
  [14.2, 112],
  [16.5, 118], // fingertips
  [19.5, 116],
  [21.5, 108],
  [22.5, 97],
  [26.5, 82],
  [29, 67],
  [31, 53],
  [33, 46], // armpit
  [33.5, 58],
  [34.5, 72], // waist
  [33, 88],
  [33.5, 100], // hip
  [35, 122],
  [37, 141], // knee
  [36.5, 155],
  [38.5, 177], // ankle
  [37, 189],
  [38, 195], // toes
  [46.5, 195],
  [45.5, 181],
  [46.5, 160],
  [46.5, 141],
  [48, 120],
  [50, 106], // crotch
];

/** A closed Catmull-Rom spline through the points, as cubic Béziers. */
function smoothClosedPath(points: readonly (readonly [number, number])[]): string {
  const n = points.length;
  const p = (i: number) => points[((i % n) + n) % n]!;
  const r = (v: number) => Math.round(v * 100) / 100;
  let d = `M${r(p(0)[0])} ${r(p(0)[1])}`;
  for (let i = 0; i < n; i++) {
    const [x0, y0] = p(i - 1);
    const [x1, y1] = p(i);
    const [x2, y2] = p(i + 1);
    const [x3, y3] = p(i + 2);
    const c1 = [x1 + (x2 - x0) / 6, y1 + (y2 - y0) / 6];
    const c2 = [x2 - (x3 - x1) / 6, y2 - (y3 - y1) / 6];
    d += ` C${r(c1[0]!)} ${r(c1[1]!)} ${r(c2[0]!)} ${r(c2[1]!)} ${r(x2)} ${r(y2)}`;
  }
  return `${d} Z`;
}

const BODY_PATH = smoothClosedPath([
  ...HALF,
  ...HALF.slice(0, -1)
    .reverse()
    .map(([x, y]) => [100 - x, y] as const),
]);
