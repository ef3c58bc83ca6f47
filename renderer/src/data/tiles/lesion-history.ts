import type { ImageRecord, Referral } from '../../../../shared/contract';
import type { PrefetchReferral } from './prefetcher';

/**
 * Adds to a prefetch plan the earlier photographs of the lesions it contains: the same
 * patient's other referrals, only their images of those lesions, after everything already
 * planned (the referrals to act on come first). "Has this lesion changed?" is asked in clinics
 * on poor links too, so the comparison's images must be on the workstation with the case's.
 * The patient is matched by NHS number, the lesion by the referrer's label, as the timeline does.
 */
export async function withLesionHistory(
  plan: readonly PrefetchReferral[],
  all: readonly Referral[],
  imagesFor: (referralId: string) => Promise<readonly ImageRecord[]>,
): Promise<PrefetchReferral[]> {
  const planned = new Set(plan.map((p) => p.referralId));
  const byId = new Map(all.map((r) => [r.id, r]));
  const byPatient = new Map<string, Referral[]>();
  for (const r of all) {
    const list = byPatient.get(r.patient.nhsNumber);
    if (list) list.push(r);
    else byPatient.set(r.patient.nhsNumber, [r]);
  }
  const extra = new Map<string, Map<string, ImageRecord>>();
  for (const entry of plan) {
    const referral = byId.get(entry.referralId);
    if (!referral) continue;
    const lesions = new Set(entry.images.map((i) => i.lesion));
    for (const other of byPatient.get(referral.patient.nhsNumber) ?? []) {
      if (planned.has(other.id)) continue;
      const wanted = (await imagesFor(other.id)).filter((i) => lesions.has(i.lesion) && i.patientNhsNumber === referral.patient.nhsNumber);
      if (wanted.length === 0) continue;
      const images = extra.get(other.id) ?? new Map<string, ImageRecord>();
      for (const image of wanted) images.set(image.id, image);
      extra.set(other.id, images);
    }
  }
  return [...plan, ...[...extra].map(([referralId, images]) => ({ referralId, images: [...images.values()] }))];
}
