import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { OutcomeFields, ReferralSubmission } from '../../shared/contract';
import { isSyntheticNhsNumber } from '../../shared/domain/nhs-number';
import { demoImageSpecs, demoReferrals, type DemoReferral } from '../../service/demo/cases';
import { evolveLesion, imageLayout, renderImage, type ImageSpec } from '../../service/demo/synthetic-images';

// A Wednesday morning; the data set is relative to it.
const NOW = new Date('2025-06-11T10:30:00Z');
const referrals = demoReferrals(NOW);
const specs = demoImageSpecs(NOW);

const day = (iso: string): string => iso.slice(0, 10);

function producer(key: string, part: string): () => Promise<Buffer> {
  const make = referrals.find((r) => r.key === key)?.files[part];
  if (!make) throw new Error(`no producer for ${key}/${part}`);
  return make;
}

async function pixels(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Series: the same patient's same lesion (id and body site) across referrals, by capture date. */
function lesionSeries(): Map<string, { referral: DemoReferral; part: string; captured: string }[]> {
  const series = new Map<string, { referral: DemoReferral; part: string; captured: string }[]>();
  for (const referral of referrals) {
    for (const image of referral.submission.images) {
      const id = `${referral.submission.patient.nhsNumber}|${image.lesion}|${image.bodySite}`;
      const list = series.get(id) ?? [];
      list.push({ referral, part: image.part, captured: image.capturedAt });
      series.set(id, list);
    }
  }
  return series;
}

describe('demo referrals', () => {
  it('has exactly 44 referrals with unique, stable keys', () => {
    expect(referrals).toHaveLength(44);
    expect(new Set(referrals.map((r) => r.key)).size).toBe(44);
    expect(demoReferrals(NOW).map((r) => r.key)).toEqual(referrals.map((r) => r.key));
  });

  it('sends submissions the contract accepts', () => {
    for (const r of referrals) {
      const parsed = ReferralSubmission.safeParse(r.submission);
      expect(parsed.success, `${r.key}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('uses only valid 999-range NHS numbers, one per patient', () => {
    const byNumber = new Map<string, string>();
    for (const { submission } of referrals) {
      const { nhsNumber, name, birthDate } = submission.patient;
      expect(nhsNumber.startsWith('999')).toBe(true);
      expect(isSyntheticNhsNumber(nhsNumber)).toBe(true);
      const who = `${name.given} ${name.family} ${birthDate}`;
      expect(byNumber.get(nhsNumber) ?? who).toBe(who);
      byNumber.set(nhsNumber, who);
    }
    const people = new Set(referrals.map((r) => `${r.submission.patient.name.given} ${r.submission.patient.name.family}`));
    expect(byNumber.size).toBe(people.size);
  });

  it('covers all three pathways', () => {
    const counts = new Map<string, number>();
    for (const r of referrals) counts.set(r.submission.pathway, (counts.get(r.submission.pathway) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['advice', 'usc', 'waiting-list']);
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(5);
  });

  it('has a producer for every image part and no others', () => {
    for (const r of referrals) {
      const parts = r.submission.images.map((i) => i.part).sort();
      expect(Object.keys(r.files).sort(), r.key).toEqual(parts);
      expect(parts.length).toBeGreaterThanOrEqual(1);
      expect(parts.length).toBeLessThanOrEqual(4);
    }
  });

  it('dates everything in the past, photographs before the referral, most in the last working week', () => {
    for (const r of referrals) {
      expect(r.receivedAt.getTime()).toBeLessThan(NOW.getTime());
      for (const image of r.submission.images) expect(Date.parse(image.capturedAt)).toBeLessThan(r.receivedAt.getTime());
    }
    const recent = referrals.filter((r) => NOW.getTime() - r.receivedAt.getTime() < 8 * 24 * 3_600_000);
    expect(recent.length).toBeGreaterThanOrEqual(20);
  });

  it('stays in the past and on working days whatever day it is seeded', () => {
    for (const now of ['2025-06-14T12:00:00Z', '2025-06-16T06:30:00Z', '2025-12-31T23:50:00Z']) {
      for (const r of demoReferrals(new Date(now))) {
        expect(r.receivedAt.getTime(), `${now} ${r.key}`).toBeLessThan(Date.parse(now));
        if (r.receivedAt.getTime() < Date.parse(now) - 24 * 3_600_000) expect([0, 6]).not.toContain(r.receivedAt.getUTCDay());
      }
    }
  });

  it('gives a scale on close-ups and dermoscopic images, and none on regional ones', () => {
    for (const image of referrals.flatMap((r) => r.submission.images)) {
      if (image.kind === 'regional') expect(image.mmPerPixel).toBeUndefined();
      else expect(image.mmPerPixel).toBeGreaterThan(0);
    }
  });

  it('follows at least three patients with one lesion photographed on three dates, older ones decided', () => {
    const followed = [...lesionSeries().values()].filter((list) => new Set(list.map((i) => i.referral.key)).size >= 3 && new Set(list.map((i) => day(i.captured))).size >= 3);
    expect(followed.length).toBeGreaterThanOrEqual(3);
    for (const list of followed) {
      const byDate = [...new Map(list.map((i) => [i.referral.key, i.referral])).values()].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
      const latest = byDate.at(-1);
      for (const older of byDate.slice(0, -1)) {
        expect(older.priorOutcome, older.key).toBeDefined();
        expect(OutcomeFields.safeParse(older.priorOutcome).success).toBe(true);
      }
      expect(latest?.priorOutcome).toBeUndefined();
    }
  });

  it('leaves enough open work for a queue: at least 12 undecided advice requests and 2 undecided USC referrals beyond the first ten', () => {
    const open = (pathway: string) => referrals.filter((r) => r.submission.pathway === pathway && !r.priorOutcome);
    // The seed moves two waiting-list referrals on (sign-off, request for information); none of these.
    expect(open('advice').length).toBeGreaterThanOrEqual(12 + 7);
    expect(open('usc').length).toBeGreaterThanOrEqual(12);
  });

  it('draws each quick case\'s stock photograph once, small, and shares it between cases with the same look', async () => {
    const stock = specs.filter((s) => /^(advice-(1[4-9]|2[0-5])|usc-1[12])$/.test(s.key));
    expect(new Set(stock.map((s) => s.key)).size).toBe(14);
    for (const { spec } of stock) {
      const { width, height } = imageLayout(spec);
      expect(width * height).toBeLessThanOrEqual(1200 * 900);
    }
    const looks = new Set(stock.map((s) => JSON.stringify(s.spec)));
    expect(looks.size).toBeLessThanOrEqual(11);
    // Two cases with the same look get the very same bytes (one drawing, one stored original).
    const [a, b] = [producer('advice-14', 'l1-close-up'), producer('advice-15', 'l1-close-up')];
    const [x, y] = await Promise.all([a(), b()]);
    expect(x).toBe(y);
  });

  it('has a GP question with characters that must be shown as text', () => {
    expect(referrals.some((r) => /[<&]/.test(r.submission.question))).toBe(true);
  });
});

describe('synthetic images', () => {
  it('includes a photograph of at least 24 MP', async () => {
    const big = specs.filter(({ spec }) => {
      const { width, height } = imageLayout(spec);
      return width * height >= 24_000_000;
    });
    expect(big.length).toBeGreaterThanOrEqual(1);
    const first = big[0];
    if (!first) return;
    const meta = await sharp(await producer(first.key, first.part)()).metadata();
    expect(meta.format).toBe('jpeg');
    expect((meta.width ?? 0) * (meta.height ?? 0)).toBeGreaterThanOrEqual(24_000_000);
  }, 20_000);

  it('renders the same spec to the same bytes and pixels', async () => {
    const dermoscopic = specs.find((s) => s.spec.kind === 'dermoscopic');
    if (!dermoscopic) throw new Error('no dermoscopic image in the data set');
    const make = producer(dermoscopic.key, dermoscopic.part);
    const [a, b] = await Promise.all([make(), make()]);
    expect(a.equals(b)).toBe(true);
    expect((await pixels(a)).data.equals((await pixels(b)).data)).toBe(true);
  });

  it('looks like a textured photograph, not a flat fill, at the size its layout promises', async () => {
    for (const kind of ['regional', 'close-up', 'dermoscopic'] as const) {
      const item = specs.find((s) => s.spec.kind === kind && s.spec.width === undefined);
      if (!item) throw new Error(`no ${kind} image`);
      const jpeg = await producer(item.key, item.part)();
      const meta = await sharp(jpeg).metadata();
      const layout = imageLayout(item.spec);
      expect([meta.width, meta.height]).toEqual([layout.width, layout.height]);
      const stats = await sharp(jpeg).stats();
      for (const channel of stats.channels.slice(0, 3)) expect(channel.stdev).toBeGreaterThan(3);
    }
  });

  it('shows a followed lesion changed between dates, in otherwise identical framing', async () => {
    const series = [...lesionSeries().values()].find((list) => new Set(list.map((i) => day(i.captured))).size >= 3);
    const regional = series
      ?.filter((i) => i.referral.submission.images.find((m) => m.part === i.part)?.kind === 'regional')
      .sort((x, y) => Date.parse(x.captured) - Date.parse(y.captured));
    const earliest = regional?.[0];
    const latest = regional?.at(-1);
    if (!earliest || !latest) throw new Error('no followed lesion with regional photographs');
    const [a, b] = await Promise.all([
      producer(earliest.referral.key, earliest.part)().then(pixels),
      producer(latest.referral.key, latest.part)().then(pixels),
    ]);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let changed = 0;
    for (let i = 0; i < a.data.length; i += 3) if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) > 24) changed++;
    // The lesion grew and darkened: hundreds of pixels, but only around the lesion.
    expect(changed).toBeGreaterThan(200);
    expect(changed).toBeLessThan((a.width * a.height) / 20);
  });

  it('keeps an evolved lesion recognisable: same place and outline family, more change as it grows', async () => {
    const base: ImageSpec = {
      kind: 'close-up',
      seed: 7,
      fitzpatrick: 'II',
      fieldMm: 30,
      width: 800,
      height: 600,
      lesion: { seed: 42, morphology: 'pigmented', diameterMm: 5, irregularity: 0.2, colours: ['tan', 'brown'] },
    };
    const later = { ...base, lesion: evolveLesion(base.lesion, { growMm: 3, irregularity: 0.7, addColours: ['blue-grey'] }) };
    const [a, b, a2] = await Promise.all([renderImage(base), renderImage(later), renderImage(base)]);
    expect(a.mmPerPixel).toBe(b.mmPerPixel);
    const [pa, pb, pa2] = await Promise.all([pixels(a.jpeg), pixels(b.jpeg), pixels(a2.jpeg)]);
    expect(pa.data.equals(pa2.data)).toBe(true);
    expect(pa.data.equals(pb.data)).toBe(false);
    // Dark pixels (lesion) grow in number; the earlier lesion's core is still dark later.
    const dark = (p: { data: Buffer }, i: number): boolean => (p.data[i] ?? 255) + (p.data[i + 1] ?? 255) + (p.data[i + 2] ?? 255) < 420;
    let before = 0;
    let after = 0;
    let kept = 0;
    for (let i = 0; i < pa.data.length; i += 3) {
      if (dark(pa, i)) before++;
      if (dark(pb, i)) after++;
      if (dark(pa, i) && dark(pb, i)) kept++;
    }
    expect(before).toBeGreaterThan(500);
    expect(after).toBeGreaterThan(before * 1.5);
    expect(kept).toBeGreaterThan(before * 0.8);
  });
});
