import { useEffect, useId, useState, type FormEvent } from 'react';
import { WorkstationSettings } from '../../../shared/workstation-settings';
import { useSession } from '../app/session';
import { useTileServices } from '../data/tiles';
import { describeError } from '../format/errors';

const MIB = 1024 ** 2;
const formatBytes = (n: number) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GB` : n >= MIB ? `${(n / MIB).toFixed(1)} MB` : `${Math.round(n / 1024)} kB`;

interface Usage {
  readonly tileBytes: number;
  readonly tiles: number;
  readonly origin: number | null;
  readonly quota: number | null;
}

/**
 * This workstation's offline cache: what it holds, how big it may grow, how long it keeps
 * things, and a way to empty it. The administrator's policy (wipe at sign-out) is shown to
 * everyone and changed only by an administrator.
 */
export function SettingsView() {
  const { settings, updateSettings, user, tiles: services } = useSession();
  const tiles = useTileServices();
  const id = useId();
  const [usage, setUsage] = useState<Usage | null>(null);
  const [form, setForm] = useState({
    budgetMb: String(Math.round(settings.tileBudgetBytes / MIB)),
    prefetchCount: String(settings.prefetchCount),
    maxAgeDays: String(settings.cacheMaxAgeDays),
    graceHours: String(settings.offlineGraceHours),
    wipe: settings.wipeCacheAtSignOut,
  });
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const own = await tiles.cache.usage();
      const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
      if (!cancelled) setUsage({ tileBytes: own.bytes, tiles: own.tiles, origin: estimate?.usage ?? null, quota: estimate?.quota ?? null });
    })();
    return () => {
      cancelled = true;
    };
  }, [tiles, revision]);

  const save = (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    const parsed = WorkstationSettings.safeParse({
      tileBudgetBytes: Number(form.budgetMb) * MIB,
      prefetchCount: Number(form.prefetchCount),
      cacheMaxAgeDays: Number(form.maxAgeDays),
      offlineGraceHours: Number(form.graceHours),
      wipeCacheAtSignOut: user.role === 'admin' ? form.wipe : settings.wipeCacheAtSignOut,
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? '');
      setError(`Check the ${FIELD_NAMES[field] ?? 'values'}: ${parsed.error.issues[0]?.message ?? 'not allowed'}.`);
      return;
    }
    setError(null);
    updateSettings(parsed.data);
    setMessage('Settings saved.');
  };

  const clear = async () => {
    setMessage(null);
    try {
      await services.clearAndRefill();
      setMessage('Cached images cleared. Your next referrals are being fetched again.');
      setRevision((r) => r + 1);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="settings" aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <h1 id={`${id}-title`}>Settings</h1>
      </div>
      <section className="panel" aria-labelledby={`${id}-storage`}>
        <h2 id={`${id}-storage`}>Offline storage</h2>
        <dl className="facts">
          <dt>Cached images</dt>
          <dd data-testid="tile-usage">{usage ? `${formatBytes(usage.tileBytes)} in ${usage.tiles.toLocaleString('en-GB')} tiles` : 'Measuring…'}</dd>
          <dt>All Loupe data on this workstation</dt>
          <dd>{usage?.origin != null ? `${formatBytes(usage.origin)}${usage.quota ? ` of ${formatBytes(usage.quota)} available` : ''}` : 'Not reported by this browser'}</dd>
        </dl>
        <button type="button" className="button" onClick={() => void clear()}>
          Clear cached images
        </button>
      </section>
      <form className="panel" onSubmit={save} aria-labelledby={`${id}-prefs`} noValidate>
        <h2 id={`${id}-prefs`}>Caching</h2>
        <div className="field">
          <label htmlFor={`${id}-budget`}>Image cache limit (MB)</label>
          <input id={`${id}-budget`} inputMode="numeric" value={form.budgetMb} onChange={(e) => setForm({ ...form, budgetMb: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-count`}>Referrals to prefetch</label>
          <input id={`${id}-count`} inputMode="numeric" value={form.prefetchCount} onChange={(e) => setForm({ ...form, prefetchCount: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-age`}>Delete cached data unused for (days)</label>
          <input id={`${id}-age`} inputMode="numeric" value={form.maxAgeDays} onChange={(e) => setForm({ ...form, maxAgeDays: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-grace`}>Offline sign-in allowed for (hours after the last online sign-in)</label>
          <input id={`${id}-grace`} inputMode="numeric" value={form.graceHours} onChange={(e) => setForm({ ...form, graceHours: e.target.value })} />
        </div>
        <fieldset className="field" disabled={user.role !== 'admin'}>
          <legend>Administrator policy</legend>
          <label>
            <input type="checkbox" checked={form.wipe} onChange={(e) => setForm({ ...form, wipe: e.target.checked })} /> Wipe the cache at sign-out
          </label>
          {user.role !== 'admin' && <p className="muted small">Only an administrator can change this.</p>}
        </fieldset>
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
        <button type="submit" className="button primary">
          Save settings
        </button>
      </form>
    </section>
  );
}

const FIELD_NAMES: Record<string, string> = {
  tileBudgetBytes: 'image cache limit (64 MB or more)',
  prefetchCount: 'number of referrals to prefetch (0–500)',
  cacheMaxAgeDays: 'age limit (1–365 days)',
  offlineGraceHours: 'offline sign-in period (0–720 hours)',
};
