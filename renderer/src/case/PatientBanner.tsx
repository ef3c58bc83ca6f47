import type { Referral } from '../../../shared/contract';
import { formatNhsNumber } from '../../../shared/domain/nhs-number';
import { formatAge, formatBirthDate } from '../format/dates';
import { REFERRAL_STATUS_LABELS, SEX_LABELS } from '../format/labels';
import { patientName } from '../format/patient';
import { DueCell } from '../worklist/DueCell';
import { PathwayBadge } from '../worklist/PathwayBadge';

/** Who this is, always visible above the case: the identifiers a clinician checks first. */
export function PatientBanner({ referral, now }: { referral: Referral; now: Date }) {
  const { patient } = referral;
  return (
    <section className="patient-banner" aria-label="Patient">
      <h1 className="patient-name">{patientName(patient)}</h1>
      <dl className="banner-facts">
        <div>
          <dt>NHS number</dt>
          <dd className="nhs">{formatNhsNumber(patient.nhsNumber)}</dd>
        </div>
        <div>
          <dt>Born</dt>
          <dd>
            {formatBirthDate(patient.birthDate)} <span className="muted">({formatAge(patient.birthDate, now)})</span>
          </dd>
        </div>
        <div>
          <dt>Sex</dt>
          <dd>{SEX_LABELS[patient.sex]}</dd>
        </div>
        <div>
          <dt>Pathway</dt>
          <dd>
            <PathwayBadge pathway={referral.pathway} />
          </dd>
        </div>
        <div>
          <dt>Due</dt>
          <dd>
            <DueCell referral={referral} now={now} />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`status status-${referral.status}`}>{REFERRAL_STATUS_LABELS[referral.status]}</span>
          </dd>
        </div>
      </dl>
    </section>
  );
}
